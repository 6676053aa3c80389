using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Marten;
using Npgsql;

namespace AgreementLedger.Agreements;

/// <summary>An event as stored: its data and the envelope that time travel needs.</summary>
public sealed record StoredEvent(string AgreementId, long Version, object Data, string Hash, DateTimeOffset RecordedAt);

/// <summary>
/// Reads events straight from the event table for time travel: only the columns a fold needs,
/// deserialised by the store's own serializer, which keeps reading 10,000 events close to what
/// raw Npgsql costs (see docs/benchmarks.md).
/// </summary>
public sealed class StoredEvents(NpgsqlDataSource db, LedgerSchema schema, IDocumentStore store)
{
    /// <summary>
    /// Events recorded at or before <paramref name="asOf"/> and up to <paramref name="upToVersion"/>,
    /// of one agreement (or of all when <paramref name="agreementId"/> is null), by agreement then version.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string? agreementId, DateTimeOffset? asOf, long? upToVersion, CancellationToken ct)
    {
        var conditions = new List<string> { "true" };
        await using var command = db.CreateCommand();
        if (agreementId is not null)
        {
            conditions.Add("stream_id = @id");
            command.Parameters.AddWithValue("id", agreementId);
        }

        if (asOf is { } instant)
        {
            conditions.Add("timestamp <= @asOf");
            command.Parameters.AddWithValue("asOf", instant);
        }

        if (upToVersion is { } version)
        {
            conditions.Add("version <= @version");
            command.Parameters.AddWithValue("version", version);
        }

        command.CommandText =
            $"select stream_id, version, type, data, headers ->> '{EventEnvelope.HashHeader}', timestamp from {schema.Events}.mt_events " +
            $"where {string.Join(" and ", conditions)} order by stream_id, version";
        return await ReadAsync(command, ct);
    }

    /// <summary>
    /// The events recorded at or before <paramref name="asOf"/> of the first <paramref name="count"/>
    /// agreements after <paramref name="afterId"/> (in id order) that had been proposed by then, by
    /// agreement then version: one page of the portfolio as known at an instant.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAgreementsAsync(DateTimeOffset asOf, string? afterId, int count, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"with chosen as (select stream_id from {schema.Events}.mt_events where version = 1 and timestamp <= @asOf and stream_id > @after " +
            "order by stream_id limit @count) " +
            $"select e.stream_id, e.version, e.type, e.data, e.headers ->> '{EventEnvelope.HashHeader}', e.timestamp " +
            $"from {schema.Events}.mt_events e join chosen on chosen.stream_id = e.stream_id where e.timestamp <= @asOf order by e.stream_id, e.version");
        command.Parameters.AddWithValue("asOf", asOf);
        command.Parameters.AddWithValue("after", afterId ?? "");
        command.Parameters.AddWithValue("count", count);
        return await ReadAsync(command, ct);
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            var version = reader.GetInt64(1);
            var clrType = EventCatalogue.TypeOf(reader.GetString(2), id, version);
            events.Add(new StoredEvent(
                id,
                version,
                serializer.FromJson(clrType, new MemoryStream(reader.GetFieldValue<byte[]>(3))),
                reader.IsDBNull(4) ? "" : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return events;
    }
}
