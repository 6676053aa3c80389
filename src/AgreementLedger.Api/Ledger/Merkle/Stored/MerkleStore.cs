using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>The size of the stored tree and the position of its last leaf (0 for the empty tree).</summary>
public sealed record TreeHead(long Size, long Position);

/// <summary>Stored nodes read for one answer; <see cref="Count"/> is how many rows that took.</summary>
public sealed class NodesRead(IReadOnlyDictionary<MerkleNodeId, byte[]> hashes, IReadOnlyDictionary<long, long> leafPositions)
{
    public int Count => hashes.Count;

    public byte[] Node(MerkleNodeId id) =>
        hashes.TryGetValue(id, out var hash) ? hash : throw new MerkleTreeDamagedException($"stored node (level {id.Level}, index {id.Index}) is missing");

    public byte[] Hash(MerkleRange range) => range.Hash(Node);

    /// <summary>The position of leaf <paramref name="leafIndex"/>, when it was among the nodes read.</summary>
    public long PositionOf(long leafIndex) =>
        leafPositions.TryGetValue(leafIndex, out var position) ? position : throw new MerkleTreeDamagedException($"leaf {leafIndex} has no position");
}

/// <summary>The stored tree lacks a node it must have: only ever after someone changed the table.</summary>
public sealed class MerkleTreeDamagedException(string message) : Exception("The stored Merkle tree is damaged: " + message);

/// <summary>
/// Reads the stored tree: its head, and for a root, an audit path or a consistency proof exactly the perfect
/// subtrees <see cref="MerkleTree"/> names for it, in one query by primary key: O(log n) rows, never the ledger.
/// </summary>
public sealed class MerkleStore(NpgsqlDataSource db, LedgerSchema schema)
{
    private string Nodes => MerkleNodeTable.Qualified(schema);

    /// <summary>The stored tree's size and last position (one backward index step).</summary>
    public async Task<TreeHead> HeadAsync(NpgsqlConnection? connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var own = connection is null ? await db.OpenConnectionAsync(ct) : null;
        await using var command = new NpgsqlCommand(
            $"select index, position from {Nodes} where level = 0 order by index desc limit 1", connection ?? own, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new TreeHead(reader.GetInt64(0) + 1, reader.GetInt64(1)) : new TreeHead(0, 0);
    }

    /// <summary>The leaf index of the event at <paramref name="position"/>, or null when no leaf has that position.</summary>
    public async Task<long?> LeafAtAsync(long position, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select index from {Nodes} where position = $1 and level = 0");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        return await command.ExecuteScalarAsync(ct) is long index ? index : null;
    }

    /// <summary>Every node the <paramref name="ranges"/> fold from, plus the leaves in <paramref name="leaves"/> (with their positions).</summary>
    public async Task<NodesRead> ReadAsync(
        IEnumerable<MerkleRange> ranges, IEnumerable<long> leaves, NpgsqlConnection? connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        var ids = MerkleTree.NodesOf(ranges).Concat(leaves.Select(leaf => new MerkleNodeId(0, leaf))).Distinct().ToList();
        var hashes = new Dictionary<MerkleNodeId, byte[]>(ids.Count);
        var positions = new Dictionary<long, long>();
        if (ids.Count == 0)
        {
            return new NodesRead(hashes, positions);
        }

        await using var own = connection is null ? await db.OpenConnectionAsync(ct) : null;
        await using var command = new NpgsqlCommand(
            $"select n.level, n.index, n.hash, n.position from {Nodes} n join unnest($1, $2) as wanted(level, index) using (level, index)",
            connection ?? own, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Select(id => id.Level).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Select(id => id.Index).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = new MerkleNodeId(reader.GetInt32(0), reader.GetInt64(1));
            hashes[id] = reader.GetFieldValue<byte[]>(2);
            if (id.Level == 0 && !reader.IsDBNull(3))
            {
                positions[id.Index] = reader.GetInt64(3);
            }
        }

        return new NodesRead(hashes, positions);
    }

    /// <summary>
    /// The stored nodes that the leaves <c>[from, to)</c> complete, on levels 0 to <paramref name="levels"/> − 1
    /// (<see cref="StoredSpan"/>): one range of the primary key a level, all in one round trip, on a connection of its
    /// own. (One statement a level: joined to a list of ranges, PostgreSQL hashes the whole table instead.)
    /// </summary>
    public async Task<StoredSpan> SpanAsync(long from, long to, int levels, CancellationToken ct)
    {
        var span = new StoredSpan(from, to, levels);
        var wanted = Enumerable.Range(0, levels).Where(level => span.Count(level) > 0).ToArray();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var level in wanted)
        {
            var command = new NpgsqlBatchCommand($"select index, hash, position from {Nodes} where level = $1 and index >= $2 and index < $3");
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = level });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = span.FirstIndex(level) });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = span.FirstIndex(level) + span.Count(level) });
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        foreach (var level in wanted)
        {
            while (await reader.ReadAsync(ct))
            {
                var index = reader.GetInt64(0);
                var hash = reader.GetFieldValue<byte[]>(1);
                span.Keep(level, index, hash, reader.IsDBNull(2) ? null : reader.GetInt64(2));
            }

            await reader.NextResultAsync(ct);
        }

        return span;
    }

    /// <summary>Writes nodes leaves completed (<see cref="MerkleAccumulator.Append"/>), with each leaf's position, in the
    /// connection's open transaction (binary COPY: the extender's writes cost less than the appends they follow).</summary>
    public async Task WriteAsync(IReadOnlyList<(MerkleNode Node, long? Position)> nodes, NpgsqlConnection connection, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"copy {Nodes} (level, index, hash, position) from stdin (format binary)", ct);
        foreach (var (node, position) in nodes)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(node.Id.Level, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(node.Id.Index, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(node.Hash, NpgsqlDbType.Bytea, ct);
            if (position is { } p)
            {
                await writer.WriteAsync(p, NpgsqlDbType.Bigint, ct);
            }
            else
            {
                await writer.WriteNullAsync(ct);
            }
        }

        await writer.CompleteAsync(ct);
    }
}
