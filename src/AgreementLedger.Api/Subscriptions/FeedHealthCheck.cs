using AgreementLedger.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AgreementLedger.Subscriptions;

/// <summary>Readiness detail: how far the feed's safe position lags the newest stored event.</summary>
public sealed class FeedHealthCheck(EventFeed feed, NpgsqlDataSource db, LedgerSchema schema) : IHealthCheck
{
    /// <summary>Beyond this many positions of lag the node reports itself degraded.</summary>
    public const long DegradedLag = 10_000;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var safe = await feed.SafePositionAsync(cancellationToken);
            await using var newest = db.CreateCommand($"select coalesce(max(seq_id), 0) from {schema.Events}.mt_events");
            var head = (long)(await newest.ExecuteScalarAsync(cancellationToken))!;
            var lag = Math.Max(0, head - safe);
            var data = new Dictionary<string, object> { ["safePosition"] = safe, ["newestPosition"] = head, ["lag"] = lag };
            var description = $"the feed is served up to position {safe}; {lag} newer position(s) are still being committed";
            return lag > DegradedLag ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy("the feed's safe position could not be read: " + e.Message);
        }
    }
}
