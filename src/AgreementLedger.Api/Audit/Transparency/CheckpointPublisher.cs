using AgreementLedger.Audit.Digests;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// Publishes a checkpoint every <c>Ledger:Audit:DigestInterval</c> whenever the tree has grown since the newest one
/// (every node tries; a size already kept is not signed again, and every node's tree is the one stored tree). A new
/// checkpoint goes to the configured witnesses before it is kept as the newest, and is kept with their cosignatures.
/// On start and on every tick it first checks that the stored events still yield the checkpoints signed before; once
/// they do not, the divergence is recorded (<see cref="HistoryDivergence"/>) and nothing more is signed.
/// </summary>
public sealed partial class CheckpointPublisher(CheckpointLog log, CheckpointWitnesses witnesses, HistoryWatch watch, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AuditOptions> options, ILogger<CheckpointPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DigestInterval, clock);
        var starting = true;
        do
        {
            try
            {
                // On start only the check: a node restarted on a rewritten database finds the divergence at once.
                await PublishAsync(checkOnly: starting, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }

            starting = false;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PublishAsync(bool checkOnly, CancellationToken ct)
    {
        if (await watch.CheckWitnessesAsync(ct) is not null)
        {
            // Said as an error by the watch, once each tick.
            return;
        }

        if (!checkOnly && await log.TreeSizeAsync(ct) > (await log.NewestKeptSizeAsync(ct) ?? -1))
        {
            var signed = await log.SignNowAsync(ct);
            var (cosignatures, witnessDiverged, witnessed) = await witnesses.RoundAsync(signed, ct);
            foreach (var tree in witnessed)
            {
                watch.Remember(tree);
            }

            if (witnessDiverged is not null)
            {
                await watch.RecordAsync(witnessDiverged, ct);
                return;
            }

            var published = await log.PublishAsync(signed, cosignatures, ct);
            watch.Remember(new WitnessedTree(CheckpointWitnesses.SignerOf(published), published.TreeSize, published.RootHash, ByService: true));
            LogPublished(logger, published.TreeSize, published.RootHash);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the signed checkpoint of tree size {TreeSize}: root {RootHash}")]
    private static partial void LogPublished(ILogger logger, long treeSize, string rootHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the periodic checkpoint failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
