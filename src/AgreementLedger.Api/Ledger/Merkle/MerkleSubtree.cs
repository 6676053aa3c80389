namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// Every node of one perfect subtree of 2^k leaves, hashed from its leaves alone: level 0 the leaves, level k the
/// root. A subtree whose first leaf is a multiple of its width is a node of every tree that holds its leaves, so it
/// can be hashed apart from the rest (on any thread) and joined to the tree later
/// (<see cref="MerkleAccumulator.AppendSubtree"/>): the verify hashes the interior nodes of each batch of events on
/// every core, and leaves only the comparing and the few nodes above its batches to the ordered pass.
/// </summary>
public sealed class MerkleSubtree
{
    private readonly byte[][][] _levels;

    /// <param name="leaves">The leaf hashes, a power of two of them.</param>
    public MerkleSubtree(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0 || !System.Numerics.BitOperations.IsPow2(leaves.Count))
        {
            throw new ArgumentException($"A perfect subtree has a power of two of leaves, not {leaves.Count}.", nameof(leaves));
        }

        var height = System.Numerics.BitOperations.Log2((uint)leaves.Count);
        _levels = new byte[height + 1][][];
        _levels[0] = [.. leaves];
        for (var level = 1; level <= height; level++)
        {
            var below = _levels[level - 1];
            var nodes = new byte[below.Length / 2][];
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = MerkleHash.Node(below[2 * i], below[2 * i + 1]);
            }

            _levels[level] = nodes;
        }
    }

    /// <summary>k: the root's level above the leaves.</summary>
    public int Height => _levels.Length - 1;

    /// <summary>Number of leaves.</summary>
    public int Width => _levels[0].Length;

    /// <summary>The nodes of <paramref name="level"/>, left to right (<c>Width >> level</c> of them).</summary>
    public IReadOnlyList<byte[]> Level(int level) => _levels[level];

    /// <summary>The subtree's hash.</summary>
    public byte[] Root => _levels[^1][0];
}
