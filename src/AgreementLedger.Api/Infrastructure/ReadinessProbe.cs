using Npgsql;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// The anonymous readiness answer (<c>GET /health/ready</c>): whether PostgreSQL answers, asked at
/// most once per <see cref="Interval"/> however many probes arrive (they share one answer, and
/// probes arriving while a query runs wait for it). It says healthy or not and nothing else; the
/// checks and their details are for admin at <c>GET /health/details</c>.
/// </summary>
public sealed class ReadinessProbe(NpgsqlDataSource db, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>How long one probe's query may take before the node counts as unready.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private Task<bool>? _current;
    private DateTimeOffset _askedAt = DateTimeOffset.MinValue;

    public Task<bool> ReadyAsync()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_current is null || (_current.IsCompleted && now - _askedAt >= Interval))
            {
                _askedAt = now;
                _current = AskAsync();
            }

            return _current;
        }
    }

    private async Task<bool> AskAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(QueryTimeout);
            await using var command = db.CreateCommand("select true as ledger_readiness_probe");
            return await command.ExecuteScalarAsync(timeout.Token) is true;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    public static async Task<IResult> AnswerAsync(ReadinessProbe probe) => await probe.ReadyAsync()
        ? TypedResults.Json(new { status = "Healthy" }, statusCode: StatusCodes.Status200OK)
        : TypedResults.Json(new { status = "Unhealthy" }, statusCode: StatusCodes.Status503ServiceUnavailable);
}
