namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>A stored node or leaf that the events no longer produce, at the position of the last event it covers.</summary>
public sealed record TreeMismatch(long Position, string Reason);

/// <summary>What recomputing the tree found: how many leaves were compared, the mismatches, and the roots asked for.</summary>
public sealed record TreeCheckResult(long Leaves, IReadOnlyList<TreeMismatch> Mismatches, IReadOnlyDictionary<long, byte[]> Roots);

/// <summary>
/// Holds the stored tree against the events, in the one pass of <c>/audit/verify</c> over the events in position
/// order: <see cref="BeginAsync"/> reads the stored tree's head, then each event given to
/// <see cref="MerkleTreePass.AppendAsync"/> becomes the next leaf of a tree recomputed from the events, and every node
/// it completes — the leaf, and the perfect subtrees it closes — is compared with the stored one, which must be there.
/// Leaves that are the events' and nodes that are the events' make the stored tree the one the events give, node for
/// node. The first difference on the lowest level is the cause (a rewritten node, or the leaf of an event removed,
/// inserted or rewritten): every node above it would only differ because of it, so it alone is named.
/// </summary>
/// <param name="spanLeaves">Leaves a span of stored nodes read at a time covers (smaller only in tests, to cross spans).</param>
public sealed class MerkleTreeCheck(MerkleStore store, int spanLeaves = MerkleTreePass.SpanLeaves)
{
    /// <param name="rootsAt">Tree sizes whose recomputed roots to return (the kept checkpoints').</param>
    public async Task<MerkleTreePass> BeginAsync(IReadOnlySet<long> rootsAt, CancellationToken ct) =>
        new(store, await store.HeadAsync(null, null, ct), rootsAt, spanLeaves, ct);
}
