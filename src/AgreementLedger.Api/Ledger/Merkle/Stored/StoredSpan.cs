namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>
/// The stored nodes that the leaves <c>[From, To)</c> complete, as read for <c>/audit/verify</c>: on level L those of
/// index <c>From >> L</c> up to <c>To >> L</c> (a node is complete when its last leaf is, so these are exactly the ones
/// <see cref="MerkleAccumulator.Append"/> returns for those leaves). Held in flat arrays by level, with which were
/// found, so a span of thousands of leaves costs a few arrays, not an object per node.
/// </summary>
public sealed class StoredSpan
{
    private readonly byte[][] _hashes;
    private readonly bool[][] _found;
    private readonly long[] _positions;

    public StoredSpan(long from, long to, int levels)
    {
        (From, To) = (from, to);
        _hashes = new byte[levels][];
        _found = new bool[levels][];
        for (var level = 0; level < levels; level++)
        {
            var count = Count(level);
            _hashes[level] = new byte[count * MerkleHash.Size];
            _found[level] = new bool[count];
        }

        _positions = new long[Count(0)];
    }

    public long From { get; }

    public long To { get; }

    /// <summary>The levels asked for (0 to the tree's height).</summary>
    public int Levels => _hashes.Length;

    /// <summary>The first index on <paramref name="level"/> that a leaf of this span completes.</summary>
    public long FirstIndex(int level) => From >> level;

    /// <summary>How many nodes of <paramref name="level"/> the leaves of this span complete.</summary>
    public long Count(int level) => (To >> level) - (From >> level);

    /// <summary>Keeps one node read from the table (its position: leaves only).</summary>
    public void Keep(int level, long index, ReadOnlySpan<byte> hash, long? position)
    {
        var slot = (int)(index - FirstIndex(level));
        _found[level][slot] = true;
        if (level == 0)
        {
            _positions[slot] = position ?? -1;
        }

        if (hash.Length == MerkleHash.Size)
        {
            hash.CopyTo(_hashes[level].AsSpan(slot * MerkleHash.Size));
        }
        else
        {
            // A stored hash of another length (only ever after tampering) is kept as no hash at all: it matches nothing.
            (_malformed ??= []).Add(new MerkleNodeId(level, index));
        }
    }

    private HashSet<MerkleNodeId>? _malformed;

    /// <summary>The stored node (level, index) of this span, or false when the table lacks it; a leaf's position, −1 if it has none.</summary>
    public bool TryNode(MerkleNodeId id, out ReadOnlySpan<byte> hash, out long position)
    {
        var slot = (int)(id.Index - FirstIndex(id.Level));
        position = id.Level == 0 ? _positions[slot] : 0;
        hash = _malformed?.Contains(id) == true ? [] : _hashes[id.Level].AsSpan(slot * MerkleHash.Size, MerkleHash.Size);
        return _found[id.Level][slot];
    }
}
