using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AgreementLedger.Subscriptions;

/// <summary>Readiness detail: how far the feed's safe position lags the newest stored event.</summary>
public sealed class FeedHealthCheck(SafePosition safePosition, EventPositions positions) : IHealthCheck
{
    /// <summary>Beyond this many positions of lag the node reports itself degraded.</summary>
    public const long DegradedLag = 10_000;

    /// <summary>How long readiness waits for writing transactions before it reports the last safe position found.</summary>
    public static readonly TimeSpan WriterPatience = TimeSpan.FromMilliseconds(500);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Readiness answers quickly (probes time out in about a second): it waits only briefly
            // for the writers the safe position waits for, and otherwise reports the last one known.
            long safe;
            var waiting = false;
            using (var brief = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                brief.CancelAfter(WriterPatience);
                try
                {
                    safe = await safePosition.CurrentAsync(brief.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    safe = safePosition.LastKnown;
                    waiting = true;
                }
            }

            var head = await positions.NewestAsync(cancellationToken);
            var lag = Math.Max(0, head - safe);
            var data = new Dictionary<string, object> { ["safePosition"] = safe, ["newestPosition"] = head, ["lag"] = lag, ["waitingForWriters"] = waiting };
            var description = $"the feed is served up to position {safe}; {lag} newer position(s) are still being committed" +
                (waiting ? $" (transactions writing events ran past {WriterPatience.TotalMilliseconds:0} ms; the last safe position found is shown)" : "");
            return lag > DegradedLag ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy("the feed's safe position could not be read: " + e.Message);
        }
    }
}
