namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>
/// One check of the stored tree against the events (<see cref="MerkleTreeCheck"/>), fed every event in position
/// order. The stored nodes are read a span of leaves at a time (<see cref="SpanLeaves"/>) — one range of the primary
/// key a level, so each stored node is read once — and the next span is read while this one is compared.
/// </summary>
public sealed class MerkleTreePass : IAsyncDisposable
{
    /// <summary>Leaves a span of stored nodes covers: about twice as many nodes, a few megabytes held at a time.</summary>
    public const int SpanLeaves = 1 << 15;

    private readonly MerkleStore _store;
    private readonly TreeHead _head;
    /// <summary>The tree sizes whose roots are asked for, in order.</summary>
    private readonly long[] _rootSizes;
    private readonly int _spanLeaves;
    private readonly CancellationToken _ct;
    private readonly MerkleAccumulator _accumulator = new();
    private readonly Dictionary<long, byte[]> _roots = [];
    private readonly int _levels;
    private readonly TreeMismatch?[] _firstOnLevel;
    private TreeMismatch? _inserted;
    private StoredSpan? _span;
    private Task<StoredSpan>? _next;

    internal MerkleTreePass(MerkleStore store, TreeHead head, IReadOnlySet<long> rootsAt, int spanLeaves, CancellationToken ct)
    {
        (_store, _head, _spanLeaves, _ct) = (store, head, spanLeaves, ct);
        _levels = head.Size == 0 ? 1 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)head.Size);
        _firstOnLevel = new TreeMismatch?[_levels];
        _rootSizes = [.. rootsAt.Order()];
        KeepRootIfAsked();

        _next = head.Size == 0 ? null : ReadSpanAsync(0);
    }

    /// <summary>
    /// The next event in position order, by its leaf hash (<see cref="MerkleLeaf.OfEvent"/> of its chain hash as stored).
    /// Events past the stored tree's last leaf are not leaves yet.
    /// </summary>
    public async ValueTask AppendAsync(long position, byte[] leaf)
    {
        if (position > _head.Position || _inserted is not null)
        {
            return;
        }

        var ordinal = _accumulator.Size;
        if (ordinal == _head.Size)
        {
            _inserted = new TreeMismatch(position,
                $"the event at position {position} is not a leaf of the stored tree, which ends at position {_head.Position}: an event was inserted");
            return;
        }

        await ReachAsync(ordinal);

        foreach (var node in _accumulator.Append(leaf))
        {
            Compare(node, position);
        }

        KeepRootIfAsked();
    }

    /// <summary>
    /// The next events in position order, as <see cref="AppendAsync(long, byte[])"/> one by one, with
    /// <paramref name="subtree"/> hashed ahead from their <paramref name="leaves"/> when there are a power of two of
    /// them. The subtree is taken whole when it is a node of the stored tree — it starts at a multiple of its width,
    /// every event is a leaf, it lies in one span, and no root asked for falls inside it — and its nodes compared
    /// level by level, left to right, so each level's first difference is the one leaf by leaf would name; otherwise
    /// the events go in one by one.
    /// </summary>
    public async ValueTask AppendAsync(IReadOnlyList<long> positions, IReadOnlyList<byte[]> leaves, MerkleSubtree? subtree)
    {
        var first = _accumulator.Size;
        if (subtree is null || _inserted is not null || first % subtree.Width != 0 || first + subtree.Width > _head.Size
            || positions[^1] > _head.Position || first / _spanLeaves != (first + subtree.Width - 1) / _spanLeaves
            || RootAskedWithin(first, first + subtree.Width))
        {
            for (var i = 0; i < positions.Count; i++)
            {
                await AppendAsync(positions[i], leaves[i]);
            }

            return;
        }

        await ReachAsync(first);
        for (var level = 0; level <= subtree.Height; level++)
        {
            var nodes = subtree.Level(level);
            for (var i = 0; i < nodes.Count; i++)
            {
                // Completed by its last leaf: the event at that leaf's place in the batch.
                var last = ((i + 1) << level) - 1;
                Compare(new MerkleNode(new MerkleNodeId(level, (first >> level) + i), nodes[i]), positions[last]);
            }
        }

        foreach (var node in _accumulator.AppendSubtree(subtree.Height, subtree.Root))
        {
            Compare(node, positions[^1]);
        }

        KeepRootIfAsked();
    }

    /// <summary>What the pass found, once every event was appended.</summary>
    public TreeCheckResult Finish()
    {
        var mismatch = _firstOnLevel.FirstOrDefault(m => m is not null) ?? _inserted;
        if (mismatch is null && _accumulator.Size < _head.Size)
        {
            mismatch = new TreeMismatch(_head.Position,
                $"the stored tree holds {_head.Size} leaves up to position {_head.Position} but only {_accumulator.Size} events are stored there: events were removed");
        }

        return new TreeCheckResult(_accumulator.Size, mismatch is null ? [] : [mismatch], _roots);
    }

    /// <summary>Keeps the root of the tree recomputed so far when its size is one asked for.</summary>
    private void KeepRootIfAsked()
    {
        if (Array.BinarySearch(_rootSizes, _accumulator.Size) >= 0)
        {
            _roots[_accumulator.Size] = _accumulator.Root;
        }
    }

    /// <summary>Whether a root is asked for at a size strictly between <paramref name="from"/> and <paramref name="to"/>.</summary>
    private bool RootAskedWithin(long from, long to)
    {
        var at = Array.BinarySearch(_rootSizes, from + 1);
        var next = at >= 0 ? at : ~at;
        return next < _rootSizes.Length && _rootSizes[next] < to;
    }

    private void Compare(MerkleNode node, long position)
    {
        var (level, index) = (node.Id.Level, node.Id.Index);
        if (_firstOnLevel[level] is not null)
        {
            return;
        }

        if (!_span!.TryNode(node.Id, out var stored, out var leafPosition))
        {
            _firstOnLevel[level] = new TreeMismatch(position, $"the stored Merkle tree lacks node (level {level}, index {index}): it was deleted");
        }
        else if (!stored.SequenceEqual(node.Hash))
        {
            _firstOnLevel[level] = new TreeMismatch(position,
                $"stored Merkle tree node (level {level}, index {index}) does not match the events it covers: the node, or an event up to position {position}, was altered, removed or inserted");
        }
        else if (level == 0 && leafPosition >= 0 && leafPosition != position)
        {
            _firstOnLevel[level] = new TreeMismatch(position,
                $"leaf {index} of the stored tree is the event at position {leafPosition}, but the event with that ordinal is at position {position}: events were removed or inserted");
        }
    }

    /// <summary>Makes the span that holds leaf <paramref name="ordinal"/> the current one, and starts reading the next.</summary>
    private async ValueTask ReachAsync(long ordinal)
    {
        if (_span is null || ordinal >= _span.To)
        {
            _span = await _next!;
            _next = _span.To < _head.Size ? ReadSpanAsync(_span.To) : null;
        }
    }

    private Task<StoredSpan> ReadSpanAsync(long from) =>
        _store.SpanAsync(from, Math.Min(from + _spanLeaves, _head.Size), _levels, _ct);

    /// <summary>Waits for a span still being read (the pass may end early, on a failure or a cancellation).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_next is { } next)
        {
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
