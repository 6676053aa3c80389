namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary><c>Ledger:Audit</c> settings of the tree.</summary>
public sealed class MerkleTreeOptions
{
    /// <summary>How long the keeper waits, once the tree is current, before it looks for new events again.</summary>
    public TimeSpan TreeInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// <c>Ledger:Audit:TreeEnabled</c>, true by default. False is for benchmarks only (what the tree costs writers and
    /// the feed, #18): nothing extends the tree in the background or for the feed, the feed and the relay serve up to
    /// the safe position with no leaf index (<see cref="MerkleExtender.NoLeaf"/>), and checkpoints and proofs stay at
    /// the tree as it was. Never for a deployment: its events would have no inclusion proofs.
    /// </summary>
    public bool TreeEnabled { get; set; } = true;
}

/// <summary>
/// Runs <see cref="MerkleExtender"/> on every node: right away again while a step was full (a backlog, after an
/// import), else every <see cref="MerkleTreeOptions.TreeInterval"/> (real time, not the service's clock: a test's frozen clock must not
/// stop the tree). The advisory lock makes one node do the work at a time; the others find the tree current or the
/// lock taken.
/// </summary>
public sealed partial class MerkleTreeKeeper(
    MerkleExtender extender, Microsoft.Extensions.Options.IOptions<MerkleTreeOptions> options, ILogger<MerkleTreeKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!extender.Enabled)
        {
            LogSwitchedOff(logger);
            return;
        }

        try
        {
            while (true)
            {
                var added = 0;
                try
                {
                    added = await extender.ExtendAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A lost connection or a damaged table: the tree waits, the ledger goes on; /audit/verify names damage.
                    LogFailed(logger, e);
                }

                if (added < MerkleExtender.StepSize)
                {
                    // Caught up: the next step waits, so that under steady writing a step takes many events at once
                    // (the feed's readers at the head extend the tree themselves, for what they serve).
                    await Task.Delay(options.Value.TreeInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Merkle tree is switched off (Ledger:Audit:TreeEnabled=false, for benchmarks only): new events get no leaf, checkpoint or proof")]
    private static partial void LogSwitchedOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending the Merkle tree failed; will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
