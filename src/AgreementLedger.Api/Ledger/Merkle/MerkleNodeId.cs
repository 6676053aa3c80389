namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// One perfect subtree: the hash of the 2^<see cref="Level"/> leaves from <c>Index · 2^Level</c> on (level 0 is a
/// leaf hash). These are the only nodes the ledger stores: each is written once, when its last leaf arrives, and
/// never changes, so the table only grows; every other hash of the tree is folded from them.
/// </summary>
public readonly record struct MerkleNodeId(int Level, long Index)
{
    /// <summary>Index of the first leaf under this node.</summary>
    public long FirstLeaf => Index << Level;

    /// <summary>Number of leaves under this node.</summary>
    public long Width => 1L << Level;

    /// <summary>The node this one is the left or right child of.</summary>
    public MerkleNodeId Parent => new(Level + 1, Index >> 1);

    /// <summary>True when this node is its parent's right child (its parent is complete once it is).</summary>
    public bool IsRightChild => (Index & 1) == 1;
}
