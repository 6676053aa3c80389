using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Tests.Ledger.Merkle;

/// <summary>
/// Trees for the tests: the production way (<see cref="MerkleAccumulator"/> into a node table, then proofs folded
/// from the nodes <see cref="MerkleTree"/> names) and, as the oracle, RFC 9162 §2.1's recursive definitions
/// written literally over the list of leaves.
/// </summary>
internal sealed class MerkleTestTrees
{
    private readonly Dictionary<MerkleNodeId, byte[]> _nodes = [];

    public MerkleTestTrees(IEnumerable<byte[]> leafData)
    {
        var accumulator = new MerkleAccumulator();
        foreach (var data in leafData)
        {
            var leafHash = MerkleHash.Leaf(data);
            Leaves.Add(leafHash);
            foreach (var node in accumulator.Append(leafHash))
            {
                _nodes.Add(node.Id, node.Hash);
            }
        }
    }

    public List<byte[]> Leaves { get; } = [];

    public int NodesRead { get; private set; }

    public byte[] Node(MerkleNodeId id)
    {
        NodesRead++;
        return _nodes[id];
    }

    public byte[] Root(long size) => MerkleTree.Root(size).Hash(Node);

    public List<byte[]> InclusionPath(long leafIndex, long size) =>
        MerkleTree.InclusionPath(leafIndex, size).Select(range => range.Hash(Node)).ToList();

    public List<byte[]> ConsistencyProof(long fromSize, long toSize) =>
        MerkleTree.ConsistencyProof(fromSize, toSize).Select(range => range.Hash(Node)).ToList();

    public void ResetReads() => NodesRead = 0;

    // ---- RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1, literally (the oracle) ----

    public static byte[] Mth(IReadOnlyList<byte[]> leafHashes) => leafHashes.Count switch
    {
        0 => MerkleHash.EmptyRoot,
        1 => leafHashes[0],
        _ => MerkleHash.Node(Mth(Left(leafHashes)), Mth(Right(leafHashes))),
    };

    public static List<byte[]> Path(long m, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 1)
        {
            return [];
        }

        var k = K(d.Count);
        return m < k
            ? [.. Path(m, Left(d)), Mth(Right(d))]
            : [.. Path(m - k, Right(d)), Mth(Left(d))];
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => m == 0 ? [] : SubProof(m, d, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        if (m == d.Count)
        {
            return b ? [] : [Mth(d)];
        }

        var k = K(d.Count);
        return m <= k
            ? [.. SubProof(m, Left(d), b), Mth(Right(d))]
            : [.. SubProof(m - k, Right(d), false), Mth(Left(d))];
    }

    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static List<byte[]> Left(IReadOnlyList<byte[]> d) => d.Take(K(d.Count)).ToList();

    private static List<byte[]> Right(IReadOnlyList<byte[]> d) => d.Skip(K(d.Count)).ToList();
}
