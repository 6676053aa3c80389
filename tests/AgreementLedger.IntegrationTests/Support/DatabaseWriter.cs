using System.Text.Json;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// Someone with write access to the ledger's database (and nothing else) who rewrites its history consistently, as
/// docs/hashing.md and docs/audit.md let anyone compute it: an event changed with its agreement's chain recomputed,
/// the stored Merkle tree recomputed from the events' new hashes, and what was kept deleted.
/// </summary>
public sealed class DatabaseWriter(string connectionString)
{
    /// <summary>
    /// Changes one event (<paramref name="change"/>, an SQL <c>set</c> list), then recomputes its hash and every later
    /// hash of the agreement, so that each event's hash matches its fields and the next event's previousHash.
    /// </summary>
    public async Task RewriteChainAsync(string id, long version, string change)
    {
        await using var connection = await OpenAsync();
        await RewriteChainAsync(id, version, change, connection, null);
    }

    /// <summary>
    /// The whole forgery in one transaction, as a careful writer makes it (nobody sees it half done): the event and its
    /// chain, then the stored tree from the new hashes, then the kept records deleted; the forged root at <paramref name="treeSize"/>.
    /// </summary>
    public async Task<byte[]> RewriteHistoryAsync(string id, long version, string change, long treeSize)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await RewriteChainAsync(id, version, change, connection, transaction);
        var root = await RewriteTreeAsync(treeSize, connection, transaction);
        await DeleteKeptAsync(connection, transaction);
        await transaction.CommitAsync();
        return root;
    }

    private static async Task RewriteChainAsync(string id, long version, string change, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using (var update = new NpgsqlCommand($"update ledger.mt_events set {change} where stream_id = $1 and version = $2", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = id });
            update.Parameters.Add(new NpgsqlParameter { Value = version });
            await update.ExecuteNonQueryAsync();
        }

        var events = new List<(long Version, string Type, string Data, DateTimeOffset RecordedAt, string RecordedBy, string PreviousHash)>();
        await using (var read = new NpgsqlCommand(
            "select version, type, data::text, timestamp, user_name, headers ->> 'previousHash' from ledger.mt_events where stream_id = $1 and version >= $2 order by version", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = id });
            read.Parameters.Add(new NpgsqlParameter { Value = version });
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                events.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), reader.GetString(5)));
            }
        }

        var previous = events[0].PreviousHash;
        foreach (var e in events)
        {
            using var data = JsonDocument.Parse(e.Data);
            var hash = EventHash.Compute(previous, new HashedEvent(
                e.Type, id, e.Version, EventEnvelope.OccurredOnOf(e.Type, data.RootElement), EventEnvelope.FormatInstant(e.RecordedAt), e.RecordedBy, data.RootElement));
            await using var write = new NpgsqlCommand(
                "update ledger.mt_events set headers = jsonb_set(jsonb_set(headers, '{previousHash}', to_jsonb($3::text)), '{hash}', to_jsonb($4::text)) " +
                "where stream_id = $1 and version = $2", connection, transaction);
            foreach (var value in new object[] { id, e.Version, previous, hash })
            {
                write.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await write.ExecuteNonQueryAsync();
            previous = hash;
        }
    }

    /// <summary>
    /// Recomputes every stored node of the Merkle tree from the events' stored hashes (each leaf from the event at
    /// its position, each interior node from its children), in one transaction; the root at <paramref name="treeSize"/>.
    /// </summary>
    public async Task<byte[]> RewriteTreeAsync(long treeSize)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var root = await RewriteTreeAsync(treeSize, connection, transaction);
        await transaction.CommitAsync();
        return root;
    }

    private static async Task<byte[]> RewriteTreeAsync(long treeSize, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        var nodes = new Dictionary<(int Level, long Index), byte[]>();
        await using (var read = new NpgsqlCommand(
            "select n.level, n.index, n.hash, e.headers ->> 'hash' from ledger.merkle_nodes n left join ledger.mt_events e on e.seq_id = n.position", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                nodes[(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetInt32(0) == 0
                    ? MerkleHash.Leaf(Convert.FromHexString(reader.GetString(3)))
                    : (byte[])reader[2];
            }
        }

        foreach (var (level, index) in nodes.Keys.Where(k => k.Level > 0).OrderBy(k => k.Level).ToList())
        {
            nodes[(level, index)] = MerkleHash.Node(nodes[(level - 1, 2 * index)], nodes[(level - 1, 2 * index + 1)]);
        }

        foreach (var ((level, index), hash) in nodes)
        {
            await using var write = new NpgsqlCommand("update ledger.merkle_nodes set hash = $1 where level = $2 and index = $3 and hash <> $1", connection, transaction);
            write.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
            write.Parameters.Add(new NpgsqlParameter<int> { TypedValue = level });
            write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = index });
            await write.ExecuteNonQueryAsync();
        }

        return Root(nodes, 0, treeSize);
    }

    /// <summary>Deletes the kept digests, checkpoints and cosignatures.</summary>
    private static async Task DeleteKeptAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var delete = new NpgsqlCommand("delete from ledger.audit_digests; delete from ledger.audit_checkpoints; delete from ledger.audit_cosignatures", connection, transaction);
        await delete.ExecuteNonQueryAsync();
    }

    /// <summary>RFC 9162's root of leaves [start, start + size) from the perfect subtrees.</summary>
    private static byte[] Root(Dictionary<(int Level, long Index), byte[]> nodes, long start, long size)
    {
        var level = System.Numerics.BitOperations.Log2((ulong)size);
        if (size == 1L << level)
        {
            return nodes[(level, start >> level)];
        }

        var left = 1L << level;
        return MerkleHash.Node(nodes[(level, start >> level)], Root(nodes, start + left, size - left));
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}
