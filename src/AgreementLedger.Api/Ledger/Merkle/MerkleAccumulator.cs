namespace AgreementLedger.Ledger.Merkle;

/// <summary>A perfect subtree with its hash: one row of the stored tree.</summary>
public sealed record MerkleNode(MerkleNodeId Id, byte[] Hash);

/// <summary>
/// Grows a tree leaf by leaf holding only its right edge (the perfect subtrees of <see cref="MerkleRange.Nodes"/>
/// for the current size, at most log2 n + 1 of them), and tells which perfect subtrees each new leaf completes.
/// The extender starts one from the stored edge and writes what <see cref="Append"/> returns (the leaf and on
/// average one interior node); <c>/audit/verify</c> starts one empty and compares what it returns with the table.
/// </summary>
public sealed class MerkleAccumulator
{
    private readonly List<MerkleNode> _edge;

    /// <summary>An accumulator for the empty tree.</summary>
    public MerkleAccumulator()
        : this(0, [])
    {
    }

    /// <summary>An accumulator for a tree of <paramref name="size"/> leaves, from the hashes of
    /// <c>MerkleTree.Root(size).Nodes()</c> in that order.</summary>
    public MerkleAccumulator(long size, IReadOnlyList<byte[]> edgeHashes)
    {
        var ids = MerkleTree.Root(size).Nodes();
        if (ids.Count != edgeHashes.Count)
        {
            throw new ArgumentException($"A tree of {size} leaves has {ids.Count} edge nodes, not {edgeHashes.Count}.", nameof(edgeHashes));
        }

        _edge = ids.Select((id, i) => new MerkleNode(id, edgeHashes[i])).ToList();
        Size = size;
    }

    /// <summary>Number of leaves so far.</summary>
    public long Size { get; private set; }

    /// <summary>The root of the tree so far (RFC 9162 MTH).</summary>
    public byte[] Root => MerkleRange.Fold(_edge.Select(node => node.Hash).ToList());

    /// <summary>Adds leaf number <see cref="Size"/> (its leaf hash, <see cref="MerkleHash.Leaf"/>) and returns the
    /// nodes it completes: the leaf itself first, then each parent it closes, bottom up.</summary>
    public IReadOnlyList<MerkleNode> Append(byte[] leafHash) => Push(new MerkleNode(new MerkleNodeId(0, Size), leafHash));

    /// <summary>
    /// Adds the leaves of a perfect subtree at once, by its root (<see cref="MerkleSubtree.Root"/>), and returns the
    /// nodes above it that it completes, bottom up; the subtree's own nodes are the caller's. The tree's size must be
    /// a multiple of the subtree's width, so the subtree is a node of this tree.
    /// </summary>
    public IReadOnlyList<MerkleNode> AppendSubtree(int level, byte[] rootHash)
    {
        if (Size % (1L << level) != 0)
        {
            throw new ArgumentException($"A subtree of 2^{level} leaves does not start at leaf {Size}.", nameof(level));
        }

        var completed = Push(new MerkleNode(new MerkleNodeId(level, Size >> level), rootHash));
        completed.RemoveAt(0);
        return completed;
    }

    /// <summary>Pushes a node of <see cref="Size"/>'s alignment onto the right edge, closing the parents it completes.</summary>
    private List<MerkleNode> Push(MerkleNode node)
    {
        var completed = new List<MerkleNode> { node };
        _edge.Add(node);
        while (_edge.Count >= 2 && _edge[^1].Id.Level == _edge[^2].Id.Level)
        {
            var right = _edge[^1];
            var left = _edge[^2];
            var parent = new MerkleNode(right.Id.Parent, MerkleHash.Node(left.Hash, right.Hash));
            _edge.RemoveRange(_edge.Count - 2, 2);
            _edge.Add(parent);
            completed.Add(parent);
        }

        Size += node.Id.Width;
        return completed;
    }
}
