namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// The server side of RFC 9162 §2.1: which subtree hashes make up a root, an audit path (§2.1.3.1) and a
/// consistency proof (§2.1.4.1), as <see cref="MerkleRange"/>s. It names ranges instead of computing hashes so a
/// store can read every node a proof needs in one query (<see cref="NodesOf"/>) and then fold them.
/// </summary>
public static class MerkleTree
{
    /// <summary>The whole tree of <paramref name="treeSize"/> leaves: its hash is the root.</summary>
    public static MerkleRange Root(long treeSize) =>
        treeSize >= 0 ? new MerkleRange(0, treeSize) : throw new ArgumentOutOfRangeException(nameof(treeSize));

    /// <summary>PATH(m, D[n]) of §2.1.3.1, deepest sibling first; for m in [0, n).</summary>
    public static IReadOnlyList<MerkleRange> InclusionPath(long leafIndex, long treeSize)
    {
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), $"Leaf {leafIndex} is not in a tree of {treeSize}.");
        }

        var path = new List<MerkleRange>();
        var (start, end) = (0L, treeSize);
        while (end - start > 1)
        {
            var k = start + SplitPoint(end - start);
            if (leafIndex < k)
            {
                path.Add(new MerkleRange(k, end));
                end = k;
            }
            else
            {
                path.Add(new MerkleRange(start, k));
                start = k;
            }
        }

        path.Reverse();
        return path;
    }

    /// <summary>PROOF(m, D[n]) of §2.1.4.1, for 0 ≤ m ≤ n; empty for m = 0 and m = n.</summary>
    public static IReadOnlyList<MerkleRange> ConsistencyProof(long fromSize, long toSize)
    {
        if (fromSize < 0 || fromSize > toSize)
        {
            throw new ArgumentOutOfRangeException(nameof(fromSize), $"No consistency proof from {fromSize} to {toSize}.");
        }

        var proof = new List<MerkleRange>();
        if (fromSize == 0 || fromSize == toSize)
        {
            return proof;
        }

        // SUBPROOF(m, D[start:end], b), unrolled: m counts leaves of the old tree still inside [start, end).
        var (start, end, m, whole) = (0L, toSize, fromSize, true);
        while (m != end - start)
        {
            var k = SplitPoint(end - start);
            if (m <= k)
            {
                proof.Add(new MerkleRange(start + k, end));
                end = start + k;
            }
            else
            {
                proof.Add(new MerkleRange(start, start + k));
                m -= k;
                start += k;
                whole = false;
            }
        }

        if (!whole)
        {
            proof.Add(new MerkleRange(start, end));
        }

        proof.Reverse();
        return proof;
    }

    /// <summary>Every stored node the given ranges fold from, each once: what a store reads for one answer.</summary>
    public static IReadOnlyList<MerkleNodeId> NodesOf(IEnumerable<MerkleRange> ranges) =>
        ranges.SelectMany(range => range.Nodes()).Distinct().ToList();

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2): where RFC 9162 splits a tree.</summary>
    private static long SplitPoint(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));
}
