using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Digests;

/// <summary>Ledger:Audit settings.</summary>
public sealed class AuditOptions
{
    /// <summary>How often a signed digest of the newest safe position is taken and kept.</summary>
    public TimeSpan DigestInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Takes and keeps a signed digest periodically, whenever the ledger has grown — never once the history has diverged (nothing new is signed then).</summary>
public sealed partial class DigestKeeper(LedgerDigests digests, Transparency.HistoryWatch watch, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AuditOptions> options, ILogger<DigestKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DigestInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var safe = await digests.SafePositionAsync(stoppingToken);
                if (safe > await digests.NewestKeptPositionAsync(stoppingToken) && await watch.DivergedAsync(stoppingToken) is null)
                {
                    var taken = await digests.TakeAsync(safe, stoppingToken);
                    LogTaken(logger, taken.Position, taken.Digest);
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or WritersStillRunningException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kept the signed ledger digest at position {Position}: {Digest}")]
    private static partial void LogTaken(ILogger logger, long position, string digest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking the periodic ledger digest failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
