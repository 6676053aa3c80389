namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>A stored node or leaf that the events no longer produce, at the position of the last event it covers.</summary>
public sealed record TreeMismatch(long Position, string Reason);

/// <summary>What recomputing the tree found: how many leaves were compared, the mismatches, and the roots asked for.</summary>
public sealed record TreeCheckResult(long Leaves, IReadOnlyList<TreeMismatch> Mismatches, IReadOnlyDictionary<long, byte[]> Roots);

/// <summary>
/// Holds the stored tree against the events, in ordered scans only. First the events' hashes in position order beside
/// the stored leaves in index order: each leaf must be its event's (hash and position), one leaf per event, none
/// missing or extra — the roots asked for are recomputed from the events on the way. Then, level by level upwards,
/// each stored node beside the level below it: each must be the hash of its two children, none missing. Leaves that
/// are the events' and nodes that are their children's make the stored tree the one the events give, node for node;
/// and the first difference found, lowest level first and then in leaf order, is the cause (a rewritten node whose
/// children still match, or the leaf of an event removed, inserted or rewritten) — every node above it would only
/// differ because of it, so the check stops there and names it.
/// </summary>
public sealed class MerkleTreeCheck(MerkleStore store, StoredEventReader stored)
{
    /// <param name="rootsAt">Tree sizes whose recomputed roots to return (the kept checkpoints').</param>
    public async Task<TreeCheckResult> CheckAsync(IReadOnlySet<long> rootsAt, CancellationToken ct)
    {
        var head = await store.HeadAsync(null, null, ct);
        var roots = new Dictionary<long, byte[]>();
        var (leaves, mismatch) = await CheckLeavesAsync(head, rootsAt, roots, ct);
        for (var level = 1; mismatch is null && head.Size >> level > 0; level++)
        {
            mismatch = await CheckLevelAsync(level, head.Size >> level, ct);
        }

        return new TreeCheckResult(leaves, mismatch is null ? [] : [mismatch], roots);
    }

    /// <summary>The events beside the stored leaves; the events are read to the end for the roots even after a mismatch.</summary>
    private async Task<(long Leaves, TreeMismatch? Mismatch)> CheckLeavesAsync(TreeHead head, IReadOnlySet<long> rootsAt, Dictionary<long, byte[]> roots, CancellationToken ct)
    {
        var accumulator = new MerkleAccumulator();
        if (rootsAt.Contains(0))
        {
            roots[0] = accumulator.Root;
        }

        TreeMismatch? mismatch = null;
        await using var storedLeaves = store.LevelAsync(0, ct).GetAsyncEnumerator(ct);
        var next = await storedLeaves.MoveNextAsync() ? storedLeaves.Current : ((long Index, byte[] Hash, long? Position)?)null;
        await foreach (var row in stored.ReadAsync(new EventQuery { UpToPosition = head.Position, WithData = false }, ct))
        {
            var ordinal = accumulator.Size;
            if (ordinal == head.Size)
            {
                mismatch ??= new TreeMismatch(row.Position,
                    $"the event at position {row.Position} is not a leaf of the stored tree, which ends at position {head.Position}: an event was inserted");
                break;
            }

            var leaf = MerkleLeaf.OfEvent(row.Hash);
            accumulator.Append(leaf);
            if (rootsAt.Contains(accumulator.Size))
            {
                roots[accumulator.Size] = accumulator.Root;
            }

            if (mismatch is not null)
            {
                continue;
            }

            while (next is { } skipped && skipped.Index < ordinal)
            {
                next = await storedLeaves.MoveNextAsync() ? storedLeaves.Current : null;
            }

            if (next is not { } found || found.Index != ordinal)
            {
                mismatch = new TreeMismatch(row.Position, $"the stored Merkle tree lacks node (level 0, index {ordinal}): it was deleted");
            }
            else if (!found.Hash.AsSpan().SequenceEqual(leaf))
            {
                mismatch = new TreeMismatch(row.Position,
                    $"stored Merkle tree node (level 0, index {ordinal}) does not match the events it covers: the node, or an event up to position {row.Position}, was altered, removed or inserted");
            }
            else if (found.Position is { } leafPosition && leafPosition != row.Position)
            {
                mismatch = new TreeMismatch(row.Position,
                    $"leaf {ordinal} of the stored tree is the event at position {leafPosition}, but the event with that ordinal is at position {row.Position}: events were removed or inserted");
            }
        }

        if (accumulator.Size < head.Size)
        {
            mismatch ??= new TreeMismatch(head.Position,
                $"the stored tree holds {head.Size} leaves up to position {head.Position} but only {accumulator.Size} events are stored there: events were removed");
        }

        return (accumulator.Size, mismatch);
    }

    /// <summary>The <paramref name="count"/> stored nodes of <paramref name="level"/> beside the level below: the first that is not its children's hash, or is missing.</summary>
    private async Task<TreeMismatch?> CheckLevelAsync(int level, long count, CancellationToken ct)
    {
        await using var children = store.LevelAsync(level - 1, ct).GetAsyncEnumerator(ct);
        await using var parents = store.LevelAsync(level, ct).GetAsyncEnumerator(ct);
        var parent = await parents.MoveNextAsync() ? parents.Current : ((long Index, byte[] Hash, long? Position)?)null;
        for (long index = 0; index < count; index++)
        {
            // The level below was checked whole (none missing): its nodes come in pairs, in order.
            var left = await children.MoveNextAsync() ? children.Current.Hash : null;
            var right = left is not null && await children.MoveNextAsync() ? children.Current.Hash : null;
            if (parent is not { } found || found.Index != index)
            {
                return await MismatchAsync(level, index, $"the stored Merkle tree lacks node (level {level}, index {index}): it was deleted", ct);
            }

            if (left is null || right is null || !found.Hash.AsSpan().SequenceEqual(MerkleHash.Node(left, right)))
            {
                return await MismatchAsync(level, index, null, ct);
            }

            parent = await parents.MoveNextAsync() ? parents.Current : null;
        }

        return null;
    }

    /// <summary>The mismatch of node (level, index), at the position of the last event it covers.</summary>
    private async Task<TreeMismatch> MismatchAsync(int level, long index, string? reason, CancellationToken ct)
    {
        var lastLeaf = ((index + 1) << level) - 1;
        var position = await store.ReadAsync([], [lastLeaf], null, null, ct) is var read && read.TryPositionOf(lastLeaf, out var p) ? p : 0;
        return new TreeMismatch(position, reason ??
            $"stored Merkle tree node (level {level}, index {index}) does not match the events it covers: the node, or an event up to position {position}, was altered, removed or inserted");
    }
}
