using Npgsql;

namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>
/// Extends the stored tree after commit, up to the newest safe position (<see cref="SafePosition"/>): below it
/// every position is committed or never will be, so the events read there are all the leaves there will ever be,
/// in position order, and the gaps a rolled-back transaction leaves are simply not leaves. One transaction per
/// step: under a transaction-scoped advisory lock (so of all the nodes of a cluster one extends at a time, and the
/// others skip the step), read the head and its right edge (O(log n) nodes), the next events' hashes (no data),
/// and write the nodes they complete. Appends never wait for it: it takes no lock a writer takes.
/// </summary>
public sealed class MerkleExtender(
    NpgsqlDataSource db, MerkleStore store, StoredEventReader stored, SafePosition safe, EventPositions positions,
    Microsoft.Extensions.Options.IOptions<MerkleTreeOptions> options) : IDisposable
{
    /// <summary>
    /// Whether the tree follows the ledger (<see cref="MerkleTreeOptions.TreeEnabled"/>, always outside benchmarks).
    /// Switched off, only <see cref="CatchUpAsync"/> extends it, and readers at the head are bounded by the safe position.
    /// </summary>
    public bool Enabled { get; } = options.Value.TreeEnabled;

    /// <summary>The leaf index a feed item carries while the tree is switched off: no event has a leaf then.</summary>
    public const long NoLeaf = -1;

    /// <summary>The newest last-leaf position this extender has seen (another node's extension only makes it older).</summary>
    private long _known;

    /// <summary>The advisory lock of the tree's extension (one bigint key, scoped to the ledger's database).</summary>
    public const long LockKey = 0x4d65726b6c6531; // "Merkle1"

    /// <summary>Events taken into the tree per step at most: bounds one transaction after a bulk import.</summary>
    public const int StepSize = 10_000;

    /// <summary>
    /// One step: the events after the tree's last leaf up to the safe position, at most <see cref="StepSize"/>.
    /// Returns how many leaves were added (0 when the tree is current or another node holds the lock).
    /// </summary>
    public async Task<int> ExtendAsync(CancellationToken ct)
    {
        // Idle, this is one indexed read: the safe position is looked for only when there are events past the tree.
        // (It is found afresh, not through SafePosition.CurrentAsync: sharing that would make the feed's answers older.)
        if (await positions.NewestAsync(ct) <= Volatile.Read(ref _known))
        {
            return 0;
        }

        return (await ExtendAsync(await safe.FindAsync(ct), ct)).Added;
    }

    /// <summary>One step up to <paramref name="upTo"/>: whether this extender held the lock, and the leaves it added.</summary>
    private async Task<(bool Locked, int Added)> ExtendAsync(long upTo, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
            if (!(bool)(await lockCommand.ExecuteScalarAsync(ct))!)
            {
                return (false, 0);
            }
        }

        var head = await store.HeadAsync(connection, transaction, ct);
        Known(head.Position);
        if (head.Position >= upTo)
        {
            return (true, 0);
        }

        var edge = MerkleTree.Root(head.Size);
        var nodes = await store.ReadAsync([edge], [], connection, transaction, ct);
        var accumulator = new MerkleAccumulator(head.Size, edge.Nodes().Select(nodes.Node).ToList());
        var written = new List<(MerkleNode Node, long? Position)>();
        var leaves = 0;
        var last = head.Position;
        var query = new EventQuery { AfterPosition = head.Position, UpToPosition = upTo, WithData = false, Limit = StepSize };
        await foreach (var row in stored.ReadAsync(query, connection, transaction, ct))
        {
            foreach (var node in accumulator.Append(MerkleLeaf.OfEvent(row.Hash)))
            {
                written.Add((node, node.Id.Level == 0 ? row.Position : null));
            }

            leaves++;
            last = row.Position;
        }

        if (leaves > 0)
        {
            await store.WriteAsync(written, connection, ct);
        }

        await transaction.CommitAsync(ct);
        Known(last);
        return (true, leaves);
    }

    private void Known(long position)
    {
        long seen;
        while (position > (seen = Volatile.Read(ref _known)) && Interlocked.CompareExchange(ref _known, position, seen) != seen)
        {
        }
    }

    /// <summary>
    /// For a reader at the head (the feed): the tree's last-leaf position once it holds every event up to the newest
    /// safe position (shared with concurrent readers, <see cref="SafePosition.CurrentAsync"/>), so that an event is
    /// served as soon as it is safe rather than at the keeper's next turn. Readers at the head of one node extend one
    /// at a time: the others wait their turn (and then mostly find the tree already holding what they wait for)
    /// instead of each trying the lock. Waits at most <paramref name="patience"/> (for this node's readers, or for
    /// another node's lock), then answers the head as it is. Idle, one indexed read. With the tree switched off, the
    /// safe position itself, as before the tree.
    /// </summary>
    public async Task<long> HelpAtHeadAsync(TimeSpan patience, CancellationToken ct)
    {
        if (!Enabled)
        {
            // As with the tree: a safe position shared a few milliseconds ago is not taken when there are events
            // past it (a client reading its own write at once would not be served it).
            var last = safe.LastKnown;
            return await positions.NewestAsync(ct) <= last ? last : await safe.CurrentAsync(ct, beyond: last);
        }

        var arrived = Volatile.Read(ref _known);
        if (await positions.NewestAsync(ct) <= arrived)
        {
            return arrived;
        }

        var giveUp = DateTime.UtcNow + patience;
        if (!await _atHead.WaitAsync(patience, ct))
        {
            return (await store.HeadAsync(null, null, ct)).Position;
        }

        try
        {
            if (Volatile.Read(ref _known) > arrived)
            {
                // Extended while this reader waited its turn: it is served what that took, without another step.
                return Volatile.Read(ref _known);
            }

            // There are events past the tree: a safe position it already holds would not serve them.
            var target = await safe.CurrentAsync(ct, beyond: Volatile.Read(ref _known));
            while (true)
            {
                var (locked, added) = await ExtendAsync(target, ct);
                if (locked && added == 0)
                {
                    return Volatile.Read(ref _known);
                }

                if (!locked)
                {
                    if (DateTime.UtcNow >= giveUp)
                    {
                        return (await store.HeadAsync(null, null, ct)).Position;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
                }
            }
        }
        finally
        {
            _atHead.Release();
        }
    }

    /// <summary>One extension at a time for this node's readers at the head (<see cref="HelpAtHeadAsync"/>).</summary>
    private readonly SemaphoreSlim _atHead = new(1, 1);

    public void Dispose() => _atHead.Dispose();

    /// <summary>
    /// Returns once the tree holds every event up to <paramref name="position"/>, which the caller knows to be safe
    /// (the relay: the async daemon hands out pages below its high-water mark); at once with the tree switched off.
    /// </summary>
    public async Task WaitForAsync(long position, CancellationToken ct)
    {
        while (Enabled && (await store.HeadAsync(null, null, ct)).Position < position)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>
    /// Steps until the tree holds every event up to the safe position found now, waiting its turn while another
    /// extender holds the lock (tests, and whoever must see the tree current). Returns the tree's head then.
    /// </summary>
    public async Task<TreeHead> CatchUpAsync(CancellationToken ct)
    {
        var target = await safe.FindAsync(ct);
        while (true)
        {
            var (locked, added) = await ExtendAsync(target, ct);
            if (locked && added == 0)
            {
                return await store.HeadAsync(null, null, ct);
            }

            if (!locked)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
            }
        }
    }
}
