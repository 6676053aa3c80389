using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's answers that are not a cosignature, as problem details like the service's (docs/api.md,
/// "Errors"): the service's types where they mean the same (validation, not-found, payload-too-large), and three
/// of the witness's own.
/// </summary>
public static partial class WitnessProblems
{
    /// <summary>403: the checkpoint's key is not trusted, or its signature does not verify.</summary>
    public const string UntrustedCheckpoint = "untrusted-checkpoint";

    /// <summary>409: the witness holds another tree (oldSize is not its size, or another root at its size); carries its treeSize and rootHash.</summary>
    public const string WitnessConflict = "witness-conflict";

    /// <summary>422: the consistency proof does not show the new tree extends the witness's.</summary>
    public const string ProofFailed = "proof-failed";

    public static IResult Answer(SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Cosigned cosigned => TypedResults.Json(cosigned.Cosignature),
        SubmissionOutcome.Untrusted untrusted => Problems.Result(Problems.Create(
            StatusCodes.Status403Forbidden, UntrustedCheckpoint, "Checkpoint not trusted", untrusted.Detail)),
        SubmissionOutcome.Conflict conflict => Problems.Result(WithTree(Problems.Create(
            StatusCodes.Status409Conflict, WitnessConflict, "The witness holds another tree", conflict.Detail), conflict.TreeSize, conflict.RootHash)),
        SubmissionOutcome.ProofFailed failed => Problems.Result(Problems.Create(
            StatusCodes.Status422UnprocessableEntity, ProofFailed, "Consistency proof failed", failed.Detail)),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    private static ProblemDetails WithTree(ProblemDetails problem, long treeSize, string rootHash)
    {
        problem.Extensions["treeSize"] = treeSize;
        problem.Extensions["rootHash"] = rootHash;
        return problem;
    }

    /// <summary>A body the framework cannot bind is a 400; anything else is a 500 with no stack trace, logged.</summary>
    public sealed partial class Exceptions(ILogger<Exceptions> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            ProblemDetails problem;
            if (exception is BadHttpRequestException bad)
            {
                problem = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? RequestBody.TooLargeProblem()
                    : Problems.Create(bad.StatusCode, Problems.Validation, "Bad request", bad.Message);
            }
            else
            {
                LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                problem = new ProblemDetails
                {
                    Type = "/problems/internal",
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "Internal error",
                    Detail = "The witness failed to handle the request; it has been logged (trace id " + httpContext.TraceIdentifier + ").",
                };
            }

            await Problems.Result(problem).ExecuteAsync(httpContext);
            return true;
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
        private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
    }
}
