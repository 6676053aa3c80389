using AgreementLedger.Audit.Digests;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// Publishes a checkpoint every <c>Ledger:Audit:DigestInterval</c> whenever the tree has grown since the newest one
/// (every node tries; a size already kept is not signed again, and every node's tree is the one stored tree). A new
/// checkpoint goes to the configured witnesses before it is kept as the newest, and is kept with their cosignatures.
/// </summary>
public sealed partial class CheckpointPublisher(CheckpointLog log, CheckpointWitnesses witnesses, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AuditOptions> options, ILogger<CheckpointPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DigestInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await log.TreeSizeAsync(stoppingToken) > (await log.NewestKeptSizeAsync(stoppingToken) ?? -1))
                {
                    var signed = await log.SignNowAsync(stoppingToken);
                    var (cosignatures, _) = await witnesses.RoundAsync(signed, stoppingToken);
                    var published = await log.PublishAsync(signed, cosignatures, stoppingToken);
                    LogPublished(logger, published.TreeSize, published.RootHash);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the signed checkpoint of tree size {TreeSize}: root {RootHash}")]
    private static partial void LogPublished(ILogger logger, long treeSize, string rootHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the periodic checkpoint failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
