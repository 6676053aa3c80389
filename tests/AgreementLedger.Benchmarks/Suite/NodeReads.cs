using AgreementLedger.Ledger.Merkle;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// The rows of <c>ledger.merkle_nodes</c> each transparency route reads, in the order of its queries (see
/// <c>TransparencyEndpoints</c>, <c>CheckpointLog</c> and <c>MerkleStore</c>): the tree's head (its last leaf), an
/// event's leaf, and the perfect subtrees a root or a proof folds from (<see cref="MerkleTree.NodesOf"/>). T1's floor
/// reads as many rows one indexed SELECT each. Reads of other tables (the kept checkpoint, its cosignatures, the event
/// itself) are not counted.
/// </summary>
public static class NodeReads
{
    /// <summary><c>/audit/checkpoint</c> (<paramref name="treeSize"/> null: the newest, kept at size <paramref name="newest"/>).</summary>
    public static List<MerkleNodeId> Checkpoint(long newest, long? treeSize) =>
        treeSize is { } size ? [Head(newest), .. Root(size)] : Root(newest);

    /// <summary>
    /// <c>/audit/proofs/inclusion</c> of leaf <paramref name="leaf"/> (<paramref name="treeSize"/> null: in the newest
    /// checkpoint, whose size is read from the kept checkpoints, not from the tree).
    /// </summary>
    public static List<MerkleNodeId> Inclusion(long leaf, long newest, long? treeSize)
    {
        var size = treeSize ?? newest;
        return [new(0, leaf), Head(newest), .. Of([.. MerkleTree.InclusionPath(leaf, size), MerkleTree.Root(size)], leaf)];
    }

    /// <summary><c>/audit/proofs/consistency?from=&amp;to=</c>.</summary>
    public static List<MerkleNodeId> Consistency(long from, long to) =>
        [Head(to), .. Of([.. MerkleTree.ConsistencyProof(from, to), MerkleTree.Root(from), MerkleTree.Root(to)])];

    /// <summary>The floor: each row by its own single-row indexed SELECT, one round trip each, on one pooled connection.</summary>
    public static async Task SelectEachAsync(NpgsqlDataSource data, List<MerkleNodeId> ids)
    {
        await using var connection = await data.OpenConnectionAsync();
        foreach (var id in ids)
        {
            await using var select = new NpgsqlCommand("select hash, position from ledger.merkle_nodes where level = $1 and index = $2", connection);
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id.Level });
            select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id.Index });
            await using var reader = await select.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                throw new InvalidOperationException($"no node (level {id.Level}, index {id.Index})");
            }

            _ = reader.GetFieldValue<byte[]>(0);
        }
    }

    /// <summary>The head: the tree's last leaf, found by one backward index step.</summary>
    private static MerkleNodeId Head(long treeSize) => new(0, treeSize - 1);

    /// <summary>A root with its last leaf's position (<c>CheckpointLog.RootAsync</c>).</summary>
    private static List<MerkleNodeId> Root(long treeSize) => Of([MerkleTree.Root(treeSize)], treeSize - 1);

    /// <summary>One <c>MerkleStore.ReadAsync</c>: the nodes the ranges fold from and the leaves asked for, each once.</summary>
    private static List<MerkleNodeId> Of(IEnumerable<MerkleRange> ranges, params long[] leaves) =>
        [.. MerkleTree.NodesOf(ranges).Concat(leaves.Select(leaf => new MerkleNodeId(0, leaf))).Distinct()];
}
