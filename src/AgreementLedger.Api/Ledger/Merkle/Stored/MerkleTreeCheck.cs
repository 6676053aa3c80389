namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>A stored node or leaf that the events no longer produce, at the position of the last event it covers.</summary>
public sealed record TreeMismatch(long Position, string Reason);

/// <summary>What recomputing the tree found: how many leaves were compared, the mismatches, and the roots asked for.</summary>
public sealed record TreeCheckResult(long Leaves, IReadOnlyList<TreeMismatch> Mismatches, IReadOnlyDictionary<long, byte[]> Roots);

/// <summary>
/// Recomputes the tree from the events (hashes only, in position order, one streaming pass) up to the stored
/// tree's last leaf and compares every node it completes with the stored one, a batch of nodes per query by key,
/// until the first that differs: that one is named. Nodes complete bottom-up and in leaf order, so the first
/// difference is the cause (a rewritten node whose children still match, or the leaf of an event removed, inserted
/// or rewritten); every node above or after it differs as a consequence and would only repeat it.
/// </summary>
public sealed class MerkleTreeCheck(MerkleStore store, StoredEventReader stored)
{
    private const int Batch = 4096;

    /// <param name="rootsAt">Tree sizes whose recomputed roots to return (the kept checkpoints').</param>
    public async Task<TreeCheckResult> CheckAsync(IReadOnlySet<long> rootsAt, CancellationToken ct)
    {
        var head = await store.HeadAsync(null, null, ct);
        var mismatches = new List<TreeMismatch>();
        var roots = new Dictionary<long, byte[]>();
        var accumulator = new MerkleAccumulator();
        if (rootsAt.Contains(0))
        {
            roots[0] = accumulator.Root;
        }

        var pending = new List<(MerkleNode Node, long Position)>();
        await foreach (var row in stored.ReadAsync(new EventQuery { UpToPosition = head.Position, WithData = false }, ct))
        {
            if (accumulator.Size == head.Size)
            {
                await CompareAsync(pending, mismatches, ct);
                if (mismatches.Count == 0)
                {
                    mismatches.Add(new TreeMismatch(row.Position,
                        $"the event at position {row.Position} is not a leaf of the stored tree, which ends at position {head.Position}: an event was inserted"));
                }

                break;
            }

            foreach (var node in accumulator.Append(MerkleLeaf.OfEvent(row.Hash)))
            {
                pending.Add((node, row.Position));
            }

            if (rootsAt.Contains(accumulator.Size))
            {
                roots[accumulator.Size] = accumulator.Root;
            }

            if (pending.Count >= Batch)
            {
                await CompareAsync(pending, mismatches, ct);
            }
        }

        await CompareAsync(pending, mismatches, ct);
        if (accumulator.Size < head.Size && mismatches.Count == 0)
        {
            mismatches.Add(new TreeMismatch(head.Position,
                $"the stored tree holds {head.Size} leaves up to position {head.Position} but only {accumulator.Size} events are stored there: events were removed"));
        }

        return new TreeCheckResult(accumulator.Size, mismatches, roots);
    }

    /// <summary>Compares the pending nodes with the stored ones, until the first difference (then no more are compared).</summary>
    private async Task CompareAsync(List<(MerkleNode Node, long Position)> pending, List<TreeMismatch> mismatches, CancellationToken ct)
    {
        if (pending.Count == 0 || mismatches.Count > 0)
        {
            pending.Clear();
            return;
        }

        var ranges = pending.Select(p => new MerkleRange(p.Node.Id.FirstLeaf, p.Node.Id.FirstLeaf + p.Node.Id.Width));
        var leaves = pending.Where(p => p.Node.Id.Level == 0).Select(p => p.Node.Id.Index);
        var read = await store.ReadAsync(ranges, leaves, null, null, ct);
        foreach (var (node, position) in pending)
        {
            if (mismatches.Count > 0)
            {
                break;
            }

            var (level, index) = (node.Id.Level, node.Id.Index);
            if (!read.TryNode(node.Id, out var hash))
            {
                mismatches.Add(new TreeMismatch(position, $"the stored Merkle tree lacks node (level {level}, index {index}): it was deleted"));
            }
            else if (!hash.AsSpan().SequenceEqual(node.Hash))
            {
                mismatches.Add(new TreeMismatch(position,
                    $"stored Merkle tree node (level {level}, index {index}) does not match the events it covers: the node, or an event up to position {position}, was altered, removed or inserted"));
            }
            else if (level == 0 && read.TryPositionOf(index, out var leafPosition) && leafPosition != position)
            {
                mismatches.Add(new TreeMismatch(position,
                    $"leaf {index} of the stored tree is the event at position {leafPosition}, but the event with that ordinal is at position {position}: events were removed or inserted"));
            }
        }

        pending.Clear();
    }
}
