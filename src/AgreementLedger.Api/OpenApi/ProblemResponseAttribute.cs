using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.OpenApi;

/// <summary>
/// A problem an endpoint may answer: its status and which of the contract's problem types
/// (docs/api.md "Errors") it can carry, as application/problem+json. Endpoint metadata, so that the
/// OpenAPI document declares the response with its body; <see cref="EndpointContract"/> adds the ones
/// every route of a kind shares, and an endpoint names its own with the attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ProblemResponseAttribute(int statusCode, params string[] problems) : Attribute, IProducesResponseTypeMetadata
{
    public const string ContentType = "application/problem+json";

    public int StatusCode => statusCode;

    /// <summary>The problem type codes (<see cref="Infrastructure.Problems"/>) this status may carry here.</summary>
    public IReadOnlyList<string> Problems => problems;

    /// <summary>A 400 names the members at fault in <c>errors</c>; a lifecycle conflict adds <c>conflict</c>; every other problem is plain.</summary>
    public Type? Type => statusCode == StatusCodes.Status400BadRequest ? typeof(HttpValidationProblemDetails)
        : problems.Contains(Infrastructure.Problems.LifecycleConflict) ? typeof(LifecycleConflictProblem)
        : typeof(ProblemDetails);

    public IEnumerable<string> ContentTypes => [ContentType];

    /// <summary>What the answer means here, where the problem types' general meanings would not say it.</summary>
    public string? Description { get; set; }
}
