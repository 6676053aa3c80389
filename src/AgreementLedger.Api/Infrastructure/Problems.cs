using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Infrastructure;

/// <summary>The contract's problem types (docs/api.md "Conventions"): every 4xx is one of these.</summary>
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

    /// <summary>503 (with Retry-After): the database, or the agreement's stored state, is not ready, or a commit's outcome is unknown.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>503 (with Retry-After): the stored events no longer yield a checkpoint the service or a witness signed (docs/api.md, "Witnesses").</summary>
    public const string HistoryDiverged = "history-diverged";

    public static string TypeUri(string code) => "/problems/" + code;

    public static ProblemDetails Create(int status, string code, string title, string detail) => new()
    {
        Type = TypeUri(code),
        Status = status,
        Title = title,
        Detail = detail,
    };

    /// <summary>Members a validation answer names at most (docs/api.md "Conventions"), whatever the body held.</summary>
    public const int MaxNamedMembers = 50;

    /// <summary>Encoded bytes of names and messages one answer carries at most; with its detail it stays under 16 KiB.</summary>
    private const int ErrorsBudget = 6 * 1024;

    private const int MaxNameLength = 200;
    private const int MaxMessageLength = 500;

    /// <summary>
    /// A 400 naming the invalid fields: the first <see cref="MaxNamedMembers"/>, with long names and
    /// messages cut, so that a body of thousands of bad members answers a few KiB, never megabytes.
    /// </summary>
    public static HttpValidationProblemDetails Invalid(IDictionary<string, string[]> errors, string? detail = null)
    {
        var named = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var budget = ErrorsBudget;
        foreach (var (field, messages) in errors)
        {
            var name = Cut(field, MaxNameLength);
            var kept = messages.Take(3).Select(m => Cut(m, MaxMessageLength)).ToArray();
            var size = Encoded(name) + kept.Sum(Encoded) + 8 * (kept.Length + 1);
            if (named.ContainsKey(name))
            {
                continue;
            }

            if (named.Count == MaxNamedMembers || size > budget)
            {
                break;
            }

            named[name] = kept;
            budget -= size;
        }

        var omitted = errors.Keys.Select(k => Cut(k, MaxNameLength)).Distinct(StringComparer.Ordinal).Count() - named.Count;
        return new HttpValidationProblemDetails(named)
        {
            Type = TypeUri(Validation),
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid",
            Detail = detail ?? "One or more fields are invalid: " + string.Join(", ", named.Keys)
                + (omitted > 0 ? $", and {omitted} more not named here" : "") + ".",
        };

        static string Cut(string text, int max) =>
            text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)] + "…";

        static int Encoded(string text) => System.Text.Json.JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length;
    }

    public static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemDetails AgreementNotFound(string id) =>
        Create(StatusCodes.Status404NotFound, NotFound, "Agreement not found", $"No agreement with id '{id}' exists.");

    public static ProblemDetails AgreementNotFoundAt(string id) =>
        Create(StatusCodes.Status404NotFound, NotFound, "Agreement not found at that time",
            $"Agreement '{id}' did not exist at the requested point in time (or the version is beyond its newest).");

    public static ProblemDetails AgreementExists(string id) =>
        Create(StatusCodes.Status409Conflict, AlreadyExists, "Agreement already exists", $"An agreement with id '{id}' already exists.");

    /// <summary>409 <c>lifecycle-conflict</c>; <paramref name="conflict"/>, when given, is its <c>conflict</c> member (which rule, which events).</summary>
    public static ProblemDetails Conflict(string detail, object? conflict = null)
    {
        var problem = Create(StatusCodes.Status409Conflict, LifecycleConflict, "The lifecycle does not allow this", detail);
        if (conflict is not null)
        {
            problem.Extensions["conflict"] = conflict;
        }

        return problem;
    }

    public static ProblemDetails Mismatch(long current, string sent) =>
        Create(StatusCodes.Status412PreconditionFailed, VersionMismatch, "Version mismatch",
            $"If-Match was {sent} but the agreement is at version {current}.");

    /// <summary>Writes a problem as application/problem+json with its status.</summary>
    public static IResult Result(ProblemDetails problem) => TypedResults.Problem(problem);

    /// <summary>
    /// The framework's own problems (401/403 from auth, 404 with no route, 405, 413 from Kestrel, 415,
    /// 429) typed under /problems/ as the service types its own, with a detail that says what to do;
    /// the service and the witness both answer with it.
    /// </summary>
    public static void TypeFrameworkProblem(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || problem.Type.StartsWith("http", StringComparison.Ordinal))
        {
            problem.Type = TypeUri(problem.Status switch
            {
                StatusCodes.Status401Unauthorized => Unauthorized,
                StatusCodes.Status403Forbidden => Forbidden,
                StatusCodes.Status404NotFound => NotFound,
                StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
                StatusCodes.Status429TooManyRequests => RateLimited,
                _ => Validation,
            });
        }

        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => "No resource exists at this address.",
            StatusCodes.Status405MethodNotAllowed => "This route does not accept the " + context.HttpContext.Request.Method + " method.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            _ => problem.Title,
        };
    }
}
