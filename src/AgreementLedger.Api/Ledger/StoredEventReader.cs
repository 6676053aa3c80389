using System.Runtime.CompilerServices;
using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>
/// The one reader of stored events straight from the event table (time travel, rebuild, timeline,
/// feed, export, verification, digests): one query builder over <see cref="EventQuery"/>, one row
/// mapper, one occurredOn rule. Rows are streamed as they arrive, one row buffered at a time, so a pass over
/// the whole ledger holds one event at a time.
/// </summary>
public sealed class StoredEventReader(NpgsqlDataSource db, LedgerSchema schema)
{
    /// <summary>The events <paramref name="query"/> selects, on a connection of their own.</summary>
    public async IAsyncEnumerable<StoredEventRow> ReadAsync(EventQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await foreach (var row in ReadAsync(query, connection, null, ct))
        {
            yield return row;
        }
    }

    /// <summary>
    /// The events <paramref name="query"/> selects, inside the caller's transaction (a consistent snapshot). Each row is
    /// read whole before it is mapped (events are small: sequential access, made for large columns, cost the feed a
    /// tenth of its rate in waits mid-row, 2026-12-03).
    /// </summary>
    public async IAsyncEnumerable<StoredEventRow> ReadAsync(
        EventQuery query, NpgsqlConnection connection, NpgsqlTransaction? transaction, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = Command(query, connection, transaction, aggregate: null);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return Map(reader);
        }
    }

    /// <summary>The events of <paramref name="query"/> read into a list, for a caller that needs them all at once.</summary>
    public async Task<List<StoredEventRow>> ListAsync(EventQuery query, CancellationToken ct)
    {
        var rows = new List<StoredEventRow>();
        await foreach (var row in ReadAsync(query, ct))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// What <paramref name="query"/> (of one agreement) knows of it: its newest version (0 if none) and
    /// its proposal's occurredOn as stored (yyyy-MM-dd text), or null when version 1 is not among the events.
    /// </summary>
    public async Task<(long Newest, string? ProposedOn)> ExtentAsync(EventQuery query, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = Command(
            query, connection, null, aggregate: $"coalesce(max(e.version), 0), min({EventEnvelope.OccurredOnSql("e")}) filter (where e.version = 1)");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>How many events <paramref name="query"/> selects (for progress), in the caller's transaction when given.</summary>
    public async Task<long> CountAsync(EventQuery query, NpgsqlConnection? connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var own = connection is null ? await db.OpenConnectionAsync(ct) : null;
        await using var command = Command(query, connection ?? own!, transaction, aggregate: "count(*)");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The rows <paramref name="query"/> selects, or one row of <paramref name="aggregate"/> over them.</summary>
    private NpgsqlCommand Command(EventQuery query, NpgsqlConnection connection, NpgsqlTransaction? transaction, string? aggregate)
    {
        var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var conditions = new List<string>();
        void Add(string condition, string name, object value)
        {
            conditions.Add(condition);
            command.Parameters.AddWithValue(name, value);
        }

        if (query.AgreementId is { } id)
        {
            Add("e.stream_id = @id", "id", id);
        }

        if (query.AsOf is { } asOf)
        {
            Add("e.timestamp <= @asOf", "asOf", asOf);
        }

        if (query.UpToVersion is { } version)
        {
            Add("e.version <= @version", "version", version);
        }

        if (query.FromVersion is { } fromVersion)
        {
            Add("e.version >= @fromVersion", "fromVersion", fromVersion);
        }

        if (query.AfterPosition is { } after)
        {
            Add("e.seq_id > @after", "after", after);
        }

        if (query.UpToPosition is { } upTo)
        {
            Add("e.seq_id <= @upTo", "upTo", upTo);
        }

        if (query.Positions is { } positions)
        {
            Add("e.seq_id = any(@positions)", "positions", positions);
        }

        if (query.Versions is { } versions)
        {
            Add("e.version = any(@versions)", "versions", versions);
        }

        if (query.Types is { } types)
        {
            Add("e.type = any(@types)", "types", types.ToArray());
        }

        if (query.EffectiveOn is { } effectiveOn)
        {
            Add($"{EventEnvelope.EffectiveDaySql("e")} <= @effectiveOn", "effectiveOn", effectiveOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (query.AfterEffective is { } keyset)
        {
            conditions.Add($"({EventEnvelope.EffectiveDaySql("e")}, e.version) > (@afterDay, @afterVersion)");
            command.Parameters.AddWithValue("afterDay", keyset.Day);
            command.Parameters.AddWithValue("afterVersion", keyset.Version);
        }

        if (query.Agreements is { } page)
        {
            conditions.Add(
                $"e.stream_id in (select p.stream_id from {schema.Events}.mt_events p where p.version = 1" +
                (query.AsOf is null ? "" : " and p.timestamp <= @asOf") +
                " and p.stream_id > @pageAfter order by p.stream_id limit @pageCount)");
            command.Parameters.AddWithValue("pageAfter", page.AfterId ?? "");
            command.Parameters.AddWithValue("pageCount", page.Count);
        }

        var where = conditions.Count == 0 ? "" : " where " + string.Join(" and ", conditions);
        if (aggregate is not null)
        {
            command.CommandText = $"select {aggregate} from {schema.Events}.mt_events e{where}";
            return command;
        }

        // The leaf index. A whole range (the export), or a page of the ledger in position order (the feed), joins the
        // tree's leaves in one merge over both position indexes, the leaves bounded as the events are: unbounded, a page
        // far into the ledger had PostgreSQL merge from the tree's first leaf (1.7 s a page at 5,000,000 events, the
        // catch-up quadratic), as it scans the inner side of a merge join from its start. Any other page (an agreement's,
        // in effective order) or a set of positions looks each of its rows' leaf up.
        var leafTable = Merkle.Stored.MerkleNodeTable.Qualified(schema);
        var rangeOfLedger = query.Order == EventOrder.ByPosition && query.AgreementId is null && query.Positions is null
            && (query.Limit is null || query.AfterPosition is not null);
        var joinLeaves = query.WithLeafIndex && rangeOfLedger;
        var leaf = !query.WithLeafIndex ? "null::bigint" : joinLeaves ? "l.index" : $"(select l.index from {leafTable} l where l.position = e.seq_id)";
        var columns =
            $"e.seq_id, e.stream_id, e.version, e.type, {(query.WithData ? "e.data" : "null::jsonb")}, e.timestamp, e.user_name, " +
            $"e.headers ->> '{EventEnvelope.HashHeader}', e.headers ->> '{EventEnvelope.PreviousHashHeader}', " +
            (query.WithData ? EventEnvelope.OccurredOnSql("e") : "null::text") + ", " + leaf;
        var leafBounds = (query.AfterPosition is null ? "" : " and l.position > @after") + (query.UpToPosition is null ? "" : " and l.position <= @upTo");
        var from = joinLeaves
            ? $"{schema.Events}.mt_events e left join {leafTable} l on l.position = e.seq_id{leafBounds}"
            : $"{schema.Events}.mt_events e";
        var order = query.Order switch
        {
            EventOrder.ByPosition => " order by e.seq_id",
            EventOrder.ByAgreement => " order by e.stream_id, e.version",
            _ => $" order by {EventEnvelope.EffectiveDaySql("e")}, e.version",
        };
        var limit = query.Limit is { } l ? " limit " + l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        command.CommandText = $"select {columns} from {from}{where}{order}{limit}";
        return command;
    }

    /// <summary>The one row mapper; columns in the order selected.</summary>
    private static StoredEventRow Map(NpgsqlDataReader reader)
    {
        var position = reader.GetInt64(0);
        var agreementId = reader.GetString(1);
        var version = reader.GetInt64(2);
        var type = reader.GetString(3);
        var data = reader.IsDBNull(4) ? [] : reader.GetFieldValue<byte[]>(4);
        var recordedAt = reader.GetFieldValue<DateTimeOffset>(5);
        var recordedBy = reader.IsDBNull(6) ? "" : reader.GetString(6);
        var hash = reader.IsDBNull(7) ? null : reader.GetString(7);
        var previousHash = reader.IsDBNull(8) ? null : reader.GetString(8);
        var occurredOn = reader.IsDBNull(9) ? null : EventEnvelope.OccurredOnOf(type, reader.GetString(9));
        long? leafIndex = reader.IsDBNull(10) ? null : reader.GetInt64(10);
        return new StoredEventRow(position, agreementId, version, type, data, recordedAt, recordedBy, hash, previousHash, occurredOn, leafIndex);
    }
}
