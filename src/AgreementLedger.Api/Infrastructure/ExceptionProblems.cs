using AgreementLedger.Ledger;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// Maps the exceptions that concurrency can still raise to their contract answers, and everything
/// else to a bare 500 with no stack trace. Each mapping names one exception type; nothing is
/// mapped by a catch-all.
/// </summary>
public sealed partial class ExceptionProblems(ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        var problem = exception switch
        {
            ExistingStreamIdCollisionException collision =>
                Problems.AgreementExists(collision.Id?.ToString() ?? "?"),
            _ when VersionConflict.Is(exception) =>
                Problems.Create(StatusCodes.Status412PreconditionFailed, Problems.VersionMismatch, "Version mismatch",
                    "The agreement changed while the command ran; read it again and retry."),
            Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.LockNotAvailable } =>
                Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Ledger busy",
                    "A lock the request needed was held for longer than the database's lock_timeout; retry shortly."),
            WritersStillRunningException =>
                Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Ledger busy",
                    "Transactions writing events ran too long for a safe position to be found; retry shortly."),
            Ledger.Merkle.Stored.MerkleTreeDamagedException damaged =>
                Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Merkle tree damaged",
                    damaged.Message + ". Nothing can be proved or signed over that part of the tree until it is restored; GET /audit/verify reports it."),
            StreamLockedException =>
                Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Agreement busy",
                    "Another command on this agreement held its lock for too long; retry shortly."),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                RequestBody.TooLargeProblem(),
            BadHttpRequestException bad =>
                Problems.Create(bad.StatusCode, Problems.Validation, "Bad request", bad.Message),
            _ => null,
        };

        // Checked only when nothing above named the exception: a busy lock stays "busy".
        var databaseUnavailable = problem is null && DatabaseUnavailable(exception);
        if (databaseUnavailable)
        {
            problem = Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Database unavailable",
                "The ledger's database cannot be reached just now. Retry shortly; a command retried with the same Idempotency-Key " +
                "is recorded at most once even if this attempt's outcome is unknown.");
        }

        if (problem is null)
        {
            LogUnhandled(logger, exception, http.Request.Method, http.Request.Path);
            problem = new ProblemDetails
            {
                Type = "/problems/internal",
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal error",
                Detail = "The service failed to handle the request; it has been logged (trace id " + http.TraceIdentifier + ").",
            };
        }
        else if (databaseUnavailable)
        {
            LogDatabaseUnavailable(logger, http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
        }
        else if (exception is Ledger.Merkle.Stored.MerkleTreeDamagedException)
        {
            LogTreeDamaged(logger, http.Request.Method, http.Request.Path, exception.Message);
        }
        else
        {
            LogMapped(logger, exception.GetType().Name, problem.Status ?? 0, http.Request.Method, http.Request.Path);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            // Damage waits for an operator; the rest passes within seconds.
            http.Response.Headers.RetryAfter = exception is Ledger.Merkle.Stored.MerkleTreeDamagedException ? "3600" : databaseUnavailable ? "5" : "1";
        }

        await Problems.Result(problem).ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// The database could not be reached or refused new work for a reason that passes: a network
    /// error, a pool that stayed exhausted, a server starting or shutting down, too many connections.
    /// Marten and Wolverine wrap Npgsql's exceptions, so the whole chain is searched.
    /// </summary>
    private static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is Npgsql.PostgresErrorCodes.TooManyConnections or Npgsql.PostgresErrorCodes.CannotConnectNow
                            or Npgsql.PostgresErrorCodes.AdminShutdown or Npgsql.PostgresErrorCodes.CrashShutdown;
                case Npgsql.NpgsqlException { IsTransient: true }:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the database is unavailable ({Reason})")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} answered 503: {Damage}; restore the ledger's database (docs/operations.md) — GET /audit/verify names what is missing")]
    private static partial void LogTreeDamaged(ILogger logger, string method, string path, string damage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Exception} answered as {Status} on {Method} {Path}")]
    private static partial void LogMapped(ILogger logger, string exception, int status, string method, string path);
}
