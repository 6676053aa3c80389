using AgreementLedger.Infrastructure;

namespace AgreementLedger.Ledger.Idempotency;

/// <summary>Deletes expired idempotency answers every few minutes (claims also purge their own key lazily).</summary>
public sealed partial class IdempotencyKeyCleanup(IdempotencyStore store, TimeProvider clock, ILogger<IdempotencyKeyCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await store.PurgeExpiredAsync(clock.GetUtcNow(), stoppingToken);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }
            }
            catch (Npgsql.NpgsqlException e)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} expired idempotency keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency keys failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
