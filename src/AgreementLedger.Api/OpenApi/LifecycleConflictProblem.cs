using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.OpenApi;

/// <summary>
/// The shape of a command's 409 as the OpenAPI document declares it: a problem whose <c>lifecycle-conflict</c> adds
/// <see cref="Conflict"/> (docs/api.md "Refusals"); the other 409s of a command carry the plain members only. A shape
/// for the document alone (this module uses no feature folder); the answers it describes are checked against it.
/// </summary>
public sealed class LifecycleConflictProblem : ProblemDetails
{
    /// <summary>Which rule refused, in a sentence naming its subject, the field it concerns and the events it names.</summary>
    public ConflictMembers? Conflict { get; init; }

    /// <summary>The <c>conflict</c> member: <c>rule</c> and <c>message</c> always, the others when they apply.</summary>
    public sealed record ConflictMembers(
        string Rule,
        string Message,
        string? Field,
        string? Subject,
        ConflictEventShape? BreaksAt,
        ConflictEventShape? ConflictsWith,
        string? Status,
        IReadOnlyList<string>? AllowedStatuses);

    /// <summary>An event a refusal names; <c>recorded</c> is false for the one the request would have recorded.</summary>
    public sealed record ConflictEventShape(long Version, string Type, DateOnly OccurredOn, bool Recorded);
}
