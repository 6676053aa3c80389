using System.Collections.Concurrent;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// Whether the stored events still yield every checkpoint signed before, asked before anything is signed or served
/// as signed (docs/api.md, "Witnesses"). The publisher reads the witnesses' checkpoints every interval
/// (<see cref="CheckWitnessesAsync"/>); in between, this node remembers the newest checkpoint each signer — the
/// service, each witness — is known to have signed, in memory where a database writer cannot delete it, and
/// <see cref="DivergedAsync"/> holds the stored tree against those (one O(log n) read each, no network). So a
/// rewrite is caught at the next signing, not up to an interval later. Once diverged, it is recorded
/// (<see cref="HistoryDivergence"/>) and logged as an error.
/// </summary>
public sealed partial class HistoryWatch(HistoryDivergence divergence, CheckpointWitnesses witnesses, CheckpointLog log, ILogger<HistoryWatch> logger)
{
    private readonly ConcurrentDictionary<string, WitnessedTree> _known = new(StringComparer.Ordinal);
    private volatile bool _checkedOnce;

    /// <summary>Remembers that its signer signed <paramref name="tree"/>; the largest tree of each signer is kept.</summary>
    public void Remember(WitnessedTree tree) =>
        _known.AddOrUpdate(tree.SignedBy, tree, (_, held) => tree.TreeSize > held.TreeSize ? tree : held);

    /// <summary>
    /// The divergence recorded, or else found now against the checkpoints this node remembers; null while the history
    /// is good. Until a check of the witnesses has ended on this node, it runs one: a node started on a rewritten
    /// database signs nothing before it has asked them.
    /// </summary>
    public async Task<DivergedCheckpoint?> DivergedAsync(CancellationToken ct)
    {
        if (!_checkedOnce)
        {
            // Until the witnesses have been read once (the publisher does so on start), read them here.
            return await CheckWitnessesAsync(ct);
        }

        // Asked before every signing route's answer: the reads go out together, each on its own connection, so the
        // check costs about one round trip to the database, not one per read.
        var recordedRead = divergence.CurrentAsync(ct);
        var sizeRead = log.TreeSizeAsync(ct);
        var known = _known.Values.OrderBy(k => k.ByService).ThenByDescending(k => k.TreeSize).ToList();
        var rootReads = known.Select(k => StoredRootAsync(k.TreeSize, ct)).ToList();
        if (await recordedRead is { } recorded)
        {
            await SettleAsync([sizeRead, .. rootReads]);
            return recorded;
        }

        var size = await sizeRead;
        // The witnesses' first: a divergence is named by the evidence a database writer cannot reach.
        for (var i = 0; i < known.Count; i++)
        {
            // Within the stored tree, a missing node is damage: thrown.
            if (known[i].HeldAgainst(known[i].TreeSize > size ? null : (await rootReads[i]).Root()) is { } diverged)
            {
                await SettleAsync(rootReads);
                return await RecordAsync(diverged, ct);
            }
        }

        return null;
    }

    /// <summary>Lets reads no longer needed end (their outcome is of no use), so that none is left running or unobserved.</summary>
    private static async Task SettleAsync(IEnumerable<Task> reads) =>
        await Task.WhenAll(reads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    /// <summary>
    /// The stored tree's root at <paramref name="treeSize"/>, read before the tree's size is known: a size beyond the
    /// stored tree finds its nodes missing, which is damage only within it — so the damage is kept, not thrown, here.
    /// </summary>
    private async Task<StoredRoot> StoredRootAsync(long treeSize, CancellationToken ct)
    {
        try
        {
            return new StoredRoot(CheckpointLog.Hex((await log.RootAsync(treeSize, ct)).RootHash), null);
        }
        catch (Ledger.Merkle.Stored.MerkleTreeDamagedException damage)
        {
            return new StoredRoot(null, damage);
        }
    }

    private sealed record StoredRoot(string? Hash, Exception? Damage)
    {
        public string Root() => Hash ?? throw Damage!;
    }

    /// <summary>
    /// The publisher's check, on start and every interval: the recorded divergence, or else the service's newest kept
    /// checkpoint and every witness's checkpoint read now and held against the stored tree (each remembered). A
    /// divergence is said as an error once a call: as found, or as still there.
    /// </summary>
    public async Task<DivergedCheckpoint?> CheckWitnessesAsync(CancellationToken ct)
    {
        if (await divergence.CurrentAsync(ct) is { } recorded)
        {
            _checkedOnce = true;
            LogStillDiverged(logger, recorded.Named);
            return recorded;
        }

        var (diverged, known) = await witnesses.CheckAsync(ct);
        foreach (var tree in known)
        {
            Remember(tree);
        }

        _checkedOnce = true;
        return diverged is null ? null : await RecordAsync(diverged, ct);
    }

    /// <summary>Records <paramref name="diverged"/> and says so as an error.</summary>
    public async Task<DivergedCheckpoint> RecordAsync(DivergedCheckpoint diverged, CancellationToken ct)
    {
        await divergence.RecordAsync(diverged, ct);
        LogDiverged(logger, diverged.Named, diverged.Reason);
        return diverged;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "History diverged: the stored events no longer yield {Checkpoint} ({Reason}); nothing new is signed, and /audit/digest, /audit/checkpoint and /audit/export answer 503 history-diverged")]
    private static partial void LogDiverged(ILogger logger, string checkpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "History diverged: the stored events no longer yield {Checkpoint}; nothing new is signed")]
    private static partial void LogStillDiverged(ILogger logger, string checkpoint);
}
