using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgreementLedger.Client;

/// <summary>The problem <c>type</c> codes of the contract (docs/api.md, "Errors"), without the <c>/problems/</c> prefix.</summary>
public static class ProblemCodes
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
    public const string Unavailable = "unavailable";
    public const string Internal = "internal";

    /// <summary>503 on <c>/audit/digest</c>, <c>/audit/checkpoint</c>, <c>/audit/export</c>: the stored events no longer yield a checkpoint the service or a witness signed. Final: never retried.</summary>
    public const string HistoryDiverged = "history-diverged";

    /// <summary>A witness's 403: the checkpoint's key is not one it trusts, or its signature does not verify.</summary>
    public const string UntrustedCheckpoint = "untrusted-checkpoint";

    /// <summary>A witness's 409: it holds another tree (its <c>treeSize</c> and <c>rootHash</c> are in the problem's extensions).</summary>
    public const string WitnessConflict = "witness-conflict";

    /// <summary>A witness's 422: the consistency proof does not show the new tree extends the one it holds.</summary>
    public const string ProofFailed = "proof-failed";
}

/// <summary>An RFC 9457 problem as the service answers it: <c>errors</c> on validation, other members in <see cref="Extensions"/>.</summary>
public sealed record LedgerProblem
{
    public string Type { get; init; } = "about:blank";

    public string? Title { get; init; }

    public int Status { get; init; }

    public string? Detail { get; init; }

    public string? Instance { get; init; }

    public string? TraceId { get; init; }

    /// <summary>Bad members by JSON path (<c>sources[0].publishedOn</c>), each with its messages.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>On a 409 <c>lifecycle-conflict</c> to a command: which rule refused, the field it concerns and the events it names.</summary>
    public LifecycleConflict? Conflict { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; init; }

    /// <summary>The last segment of <see cref="Type"/>: one of <see cref="ProblemCodes"/>.</summary>
    [JsonIgnore]
    public string Code => Type.StartsWith("/problems/", StringComparison.Ordinal) ? Type["/problems/".Length..] : Type;
}

/// <summary>
/// A request the service refused. Catch the derived types for the answers a caller handles
/// (<see cref="LedgerValidationException"/>, <see cref="LedgerNotFoundException"/>,
/// <see cref="LedgerConflictException"/>, <see cref="LedgerVersionMismatchException"/>), or
/// look at <see cref="LedgerProblem.Code"/>.
/// </summary>
public class LedgerProblemException : Exception
{
    public LedgerProblemException(HttpStatusCode status, LedgerProblem problem, TimeSpan? retryAfter = null)
        : base(Describe(status, problem))
    {
        StatusCode = status;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    public HttpStatusCode StatusCode { get; }

    public LedgerProblem Problem { get; }

    /// <summary>The answer's <c>Retry-After</c>, on 409 in-flight, 429 and 503.</summary>
    public TimeSpan? RetryAfter { get; }

    internal static LedgerProblemException For(HttpStatusCode status, LedgerProblem problem, TimeSpan? retryAfter, long? currentVersion) =>
        (int)status switch
        {
            400 => new LedgerValidationException(problem),
            404 => new LedgerNotFoundException(problem),
            409 => new LedgerConflictException(problem, retryAfter),
            412 => new LedgerVersionMismatchException(problem, currentVersion),
            _ => new LedgerProblemException(status, problem, retryAfter),
        };

    private static string Describe(HttpStatusCode status, LedgerProblem problem)
    {
        var text = $"{(int)status} {problem.Code}: {problem.Title}";
        if (problem.Detail is { Length: > 0 } detail)
        {
            text += " — " + detail;
        }

        if (problem.Errors is { Count: > 0 } errors)
        {
            text += " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")) + ")";
        }

        return text;
    }
}

/// <summary>400: the input was refused; <see cref="Errors"/> names every bad member.</summary>
public sealed class LedgerValidationException(LedgerProblem problem) : LedgerProblemException(HttpStatusCode.BadRequest, problem)
{
    public IReadOnlyDictionary<string, string[]> Errors => Problem.Errors ?? new Dictionary<string, string[]>();
}

/// <summary>404: no such agreement (or not at that point in time), subscription or route.</summary>
public sealed class LedgerNotFoundException(LedgerProblem problem) : LedgerProblemException(HttpStatusCode.NotFound, problem);

/// <summary>409: <c>already-exists</c>, <c>lifecycle-conflict</c> (with <see cref="Conflict"/>) or <c>idempotency-key-in-flight</c>.</summary>
public sealed class LedgerConflictException(LedgerProblem problem, TimeSpan? retryAfter) : LedgerProblemException(HttpStatusCode.Conflict, problem, retryAfter)
{
    /// <summary>The rule that refused a command, and the events it names; null for the other 409s.</summary>
    public LifecycleConflict? Conflict => Problem.Conflict;
}

/// <summary>An event a refusal names; <see cref="Recorded"/> is false for the one the refused request would have recorded.</summary>
public sealed record ConflictEvent(long Version, string Type, DateOnly OccurredOn, bool Recorded);

/// <summary>
/// The <c>conflict</c> member of a 409 <c>lifecycle-conflict</c> (docs/api.md "Refusals"). <see cref="Rule"/> is a stable
/// code (<c>already-signed</c>, <c>party-not-member</c>, <c>stage-not-allowed</c>, …); <see cref="Message"/> a plain sentence.
/// </summary>
public sealed record LifecycleConflict
{
    public string Rule { get; init; } = "";

    public string Message { get; init; } = "";

    /// <summary>The command's member it concerns (<c>party</c>, <c>deliverableId</c>, <c>version</c>, <c>occurredOn</c>…), if any.</summary>
    public string? Field { get; init; }

    public string? Subject { get; init; }

    /// <summary>The first event that would break: the request's own, or a recorded later one.</summary>
    public ConflictEvent? BreaksAt { get; init; }

    /// <summary>The recorded event the rule rests on (the earlier signature, the event that set the status).</summary>
    public ConflictEvent? ConflictsWith { get; init; }

    public string? Status { get; init; }

    public IReadOnlyList<string>? AllowedStatuses { get; init; }
}

/// <summary>412: <c>If-Match</c> named another version; <see cref="CurrentVersion"/> is the agreement's version now.</summary>
public sealed class LedgerVersionMismatchException(LedgerProblem problem, long? currentVersion)
    : LedgerProblemException(HttpStatusCode.PreconditionFailed, problem)
{
    public long? CurrentVersion { get; } = currentVersion;
}
