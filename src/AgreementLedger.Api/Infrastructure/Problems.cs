using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Infrastructure;

/// <summary>The contract's problem types (API.md "Conventions"): every 4xx is one of these.</summary>
public static class Problems
{
    public const string Validation = "validation";
    public const string NotFound = "not-found";
    public const string AlreadyExists = "already-exists";
    public const string LifecycleConflict = "lifecycle-conflict";
    public const string VersionMismatch = "version-mismatch";
    public const string IdempotencyKeyReuse = "idempotency-key-reuse";
    public const string IdempotencyKeyInFlight = "idempotency-key-in-flight";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string PayloadTooLarge = "payload-too-large";
    public const string RateLimited = "rate-limited";

    /// <summary>503s (API.md has none): the database, or the agreement's stored state, is not ready; always with Retry-After.</summary>
    public const string Unavailable = "unavailable";

    public static string TypeUri(string code) => "/problems/" + code;

    public static ProblemDetails Create(int status, string code, string title, string detail) => new()
    {
        Type = TypeUri(code),
        Status = status,
        Title = title,
        Detail = detail,
    };

    public static HttpValidationProblemDetails Invalid(IDictionary<string, string[]> errors, string? detail = null) => new(errors)
    {
        Type = TypeUri(Validation),
        Status = StatusCodes.Status400BadRequest,
        Title = "The request is invalid",
        Detail = detail ?? "One or more fields are invalid: " + string.Join(", ", errors.Keys) + ".",
    };

    public static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemDetails AgreementNotFound(string id) =>
        Create(StatusCodes.Status404NotFound, NotFound, "Agreement not found", $"No agreement with id '{id}' exists.");

    public static ProblemDetails AgreementNotFoundAt(string id) =>
        Create(StatusCodes.Status404NotFound, NotFound, "Agreement not found at that time",
            $"Agreement '{id}' did not exist at the requested point in time (or the version is beyond its newest).");

    public static ProblemDetails AgreementExists(string id) =>
        Create(StatusCodes.Status409Conflict, AlreadyExists, "Agreement already exists", $"An agreement with id '{id}' already exists.");

    public static ProblemDetails Conflict(string detail) =>
        Create(StatusCodes.Status409Conflict, LifecycleConflict, "The lifecycle does not allow this", detail);

    public static ProblemDetails Mismatch(long current, string sent) =>
        Create(StatusCodes.Status412PreconditionFailed, VersionMismatch, "Version mismatch",
            $"If-Match was {sent} but the agreement is at version {current}.");

    /// <summary>Writes a problem as application/problem+json with its status.</summary>
    public static IResult Result(ProblemDetails problem) => TypedResults.Problem(problem);
}
