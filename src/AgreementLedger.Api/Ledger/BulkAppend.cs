using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Ledger;

/// <summary>A new stream to append in bulk: its id and its events, stamped, with the JSON the store's serializer wrote.</summary>
public sealed record NewAgreementHistory(string Id, IReadOnlyList<(IEvent Event, string Json)> Events);

/// <summary>
/// Appends many new streams at once by binary COPY into Marten's stream and event tables, inside the
/// caller's transaction: the only place events are written past Marten. It takes the event table's
/// ROW EXCLUSIVE lock (<see cref="EventTableAppendLock"/>) before it draws positions, so the safe
/// position never passes positions still being appended, and draws them from Marten's own sequence.
/// </summary>
public sealed class BulkAppend(LedgerSchema schema)
{
    /// <summary>Writes <paramref name="streams"/> of type <paramref name="streamType"/>; <paramref name="appended"/> is told of each event written.</summary>
    public async Task WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NewAgreementHistory> streams, string streamType, Action? appended, CancellationToken ct)
    {
        var total = streams.Sum(s => s.Events.Count);
        await using (var lockEvents = new NpgsqlCommand(EventTableAppendLock.Statement(schema), connection, transaction))
        {
            await lockEvents.ExecuteNonQueryAsync(ct);
        }

        var positions = new long[total];
        await using (var draw = new NpgsqlCommand($"select nextval('{schema.Events}.{MartenTables.PositionSequence}') from generate_series(1, $1)", connection, transaction))
        {
            draw.Parameters.Add(new NpgsqlParameter { Value = total });
            await using var reader = await draw.ExecuteReaderAsync(ct);
            for (var i = 0; await reader.ReadAsync(ct); i++)
            {
                positions[i] = reader.GetInt64(0);
            }
        }

        Array.Sort(positions);
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {schema.Events}.{MartenTables.Streams} ({MartenTables.Columns(MartenTables.StreamColumns)}) from stdin (format binary)", ct))
        {
            foreach (var (id, events) in streams)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(streamType, NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync((long)events.Count, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(events[^1].Event.Timestamp, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(events[0].Event.Timestamp, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(MartenTables.DefaultTenant, NpgsqlDbType.Varchar, ct);
            }

            await copy.CompleteAsync(ct);
        }

        var next = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {schema.Events}.{MartenTables.Events} ({MartenTables.Columns(MartenTables.EventColumns)}) from stdin (format binary)", ct))
        {
            foreach (var (id, events) in streams)
            {
                for (var v = 0; v < events.Count; v++)
                {
                    var (e, json) = events[v];
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(positions[next++], NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync((long)(v + 1), NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(json, NpgsqlDbType.Jsonb, ct);
                    await copy.WriteAsync(e.EventTypeName, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(MartenTables.DefaultTenant, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(MartenTables.DotNetTypeName(e.EventType), NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(MartenTables.HeadersJson(e), NpgsqlDbType.Jsonb, ct);
                    await copy.WriteAsync(e.UserName, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                    appended?.Invoke();
                }
            }

            await copy.CompleteAsync(ct);
        }
    }
}
