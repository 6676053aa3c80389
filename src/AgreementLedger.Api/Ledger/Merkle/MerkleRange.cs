namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// The leaves <c>[Start, End)</c> of one subtree as RFC 9162 §2.1.1 shapes it: MTH(D[Start:End]). Every hash a root,
/// an audit path or a consistency proof needs is such a range, and each is the right fold of at most log2 n
/// stored perfect subtrees (<see cref="Nodes"/>): that is why a proof reads O(log n) nodes.
/// </summary>
public readonly record struct MerkleRange(long Start, long End)
{
    /// <summary>Number of leaves.</summary>
    public long Count => End - Start;

    /// <summary>
    /// The perfect subtrees the range is made of, left to right, largest first (the binary digits of its size).
    /// RFC 9162 splits a tree at the largest power of two below its size, so the left part is always perfect and
    /// the right part splits again the same way: this list, folded from the right, is MTH of the range.
    /// </summary>
    public IReadOnlyList<MerkleNodeId> Nodes()
    {
        if (Start < 0 || End < Start)
        {
            throw new ArgumentOutOfRangeException(nameof(End), $"Not a range of leaves: [{Start}, {End}).");
        }

        var nodes = new List<MerkleNodeId>();
        var first = Start;
        var left = Count;
        while (left > 0)
        {
            var level = 63 - (int)long.LeadingZeroCount(left);
            if (first % (1L << level) != 0)
            {
                // Only ranges RFC 9162's recursion produces are aligned like this; another could not be stored nodes.
                throw new ArgumentOutOfRangeException(nameof(Start), $"[{Start}, {End}) is not a subtree of an RFC 9162 tree.");
            }

            nodes.Add(new MerkleNodeId(level, first >> level));
            first += 1L << level;
            left -= 1L << level;
        }

        return nodes;
    }

    /// <summary>MTH of the range from the hashes of its <see cref="Nodes"/> (the empty range is the empty root).</summary>
    public byte[] Hash(Func<MerkleNodeId, byte[]> node) => Fold(Nodes().Select(node).ToList());

    /// <summary>Right fold of perfect-subtree hashes given left to right, largest first: h0 · (h1 · (… · hk)).</summary>
    public static byte[] Fold(IReadOnlyList<byte[]> hashes)
    {
        if (hashes.Count == 0)
        {
            return MerkleHash.EmptyRoot;
        }

        var hash = hashes[^1];
        for (var i = hashes.Count - 2; i >= 0; i--)
        {
            hash = MerkleHash.Node(hashes[i], hash);
        }

        return hash;
    }
}
