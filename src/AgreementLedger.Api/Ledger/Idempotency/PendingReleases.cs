using AgreementLedger.Infrastructure;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace AgreementLedger.Ledger.Idempotency;

/// <summary>
/// Claims of keyed commands that failed because the database went away, so their release could
/// not be written either. Released as soon as the database answers again (retried with backoff),
/// so a client that retries after the outage gets its command run instead of 409 in-flight until
/// <c>Ledger:Idempotency:InFlightLease</c> runs out. A claim whose lease has already run out is
/// dropped from the queue: the next claim of its key purges it anyway. If this process dies first,
/// the lease is what frees the key.
/// </summary>
public sealed partial class PendingReleases(IdempotencyStore store, TimeProvider clock, IOptions<IdempotencyOptions> options, ILogger<PendingReleases> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    // Bounded: an outage under heavy keyed traffic must not grow memory without limit; a claim
    // pushed out waits for its lease instead.
    private readonly Channel<IdempotencyClaim> _queue = Channel.CreateBounded<IdempotencyClaim>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>A release that failed this way waits for the database; any other failure is a bug and propagates.</summary>
    public static bool IsOutage(Exception e) => e is Npgsql.NpgsqlException or TimeoutException;

    public void Add(IdempotencyClaim claim, Exception reason)
    {
        LogQueued(logger, claim.Key, reason.GetBaseException().Message);
        _queue.Writer.TryWrite(claim);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetry;
        await foreach (var claim in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (claim.ClaimedAt + options.Value.InFlightLease < clock.GetUtcNow())
                {
                    break;
                }

                try
                {
                    await store.ReleaseAsync(claim.Principal, claim.Key, claim.ClaimedAt, stoppingToken);
                    LogReleased(logger, claim.Key);
                    delay = FirstRetry;
                    break;
                }
                catch (Exception e) when (IsOutage(e))
                {
                    await Task.Delay(delay, clock, stoppingToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The claim of idempotency key {Key} could not be released ({Reason}); releasing it when the database answers again")]
    private static partial void LogQueued(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the claim of idempotency key {Key} after the database came back")]
    private static partial void LogReleased(ILogger logger, string key);
}
