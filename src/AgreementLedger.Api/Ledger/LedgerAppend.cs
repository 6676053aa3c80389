using System.Data;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger.Idempotency;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Ledger;

/// <summary>
/// One command's events for one stream, stamped, with the JSON each is stored (and was hashed) as, appended after
/// <see cref="ExpectedVersion"/>; the stream's snapshot after them (<see cref="SnapshotJson"/> of
/// <see cref="SnapshotType"/>, at the stream's new version); and what the feature writes beside them in the same
/// transaction (<see cref="Beside"/>: statements with positional parameters <c>$1</c>…, and their values).
/// </summary>
public sealed record StreamWrite(
    string StreamId, string StreamType, long ExpectedVersion, IReadOnlyList<(IEvent Event, string Json)> Events, string SnapshotJson, string SnapshotType,
    IReadOnlyList<(string Sql, object[] Values)> Beside)
{
    public long Version => ExpectedVersion + Events.Count;
}

/// <summary>
/// The one commit of a command's events (docs/audit.md "Positions"), in ONE round trip to the database: a single
/// batch of <c>BEGIN</c>, the ledger's append function (<see cref="AppendFunction"/>: the event table's append lock,
/// taken before positions are drawn so the safe position never passes a writer; the stream's version moved on and
/// checked against the expected one; the events, at positions from Marten's sequence), the snapshot and what the
/// feature writes beside it, the idempotency record of the answer (so a keyed retry replays exactly what was
/// committed and never appends twice), and <c>COMMIT</c> — all inside the <c>ledger.append</c> span. A statement
/// that fails skips the rest, COMMIT included: nothing of the batch is kept, and the transaction is rolled back
/// before the connection goes back to the pool. Another writer that appended first shows as <see cref="VersionConflict"/>.
/// <para>
/// Every writer takes the stream's row lock before it checks the version, so writers of one stream queue there and
/// none waits on another's uncommitted event row; a command that lost once appends under <see cref="LockAsync"/>,
/// holding that lock while it decides again, and so cannot lose twice.
/// </para>
/// </summary>
public sealed class LedgerAppend(NpgsqlDataSource db, LedgerSchema schema, IdempotencyStore idempotency, LedgerMetrics metrics)
{
    private readonly string _lockStream = $"select version from {schema.Events}.{MartenTables.Streams} where id = $1 for update";
    private readonly string _append = AppendFunction.Call(schema);
    private readonly string _snapshot =
        $"insert into {schema.Events}.{MartenTables.Snapshots} as d ({MartenTables.Columns(MartenTables.SnapshotColumns)}) " +
        "values ($1, $2, $3, $4, transaction_timestamp()) " +
        "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified";
    private readonly string _readSnapshot =
        $"select d.data from {schema.Events}.{MartenTables.Snapshots} d where d.id = $1";
    private readonly string _readStream =
        $"select s.version, d.data from {schema.Events}.{MartenTables.Streams} s left join {schema.Events}.{MartenTables.Snapshots} d on d.id = s.id where s.id = $1";

    /// <summary>
    /// Commits <paramref name="write"/>, with <paramref name="answer"/> as the answer a keyed retry of
    /// <paramref name="http"/>'s request gets; under <paramref name="locked"/> when given (its transaction, its lock).
    /// Never cancelled by the client: once the commit is sent, its answer must be the one recorded.
    /// </summary>
    public async Task CommitAsync(StreamWrite write, HttpContext http, StoredAnswer answer, StreamLock? locked = null)
    {
        var claim = http.Features.Get<IdempotencyClaim>();
        var connection = locked?.Connection ?? await db.OpenConnectionAsync(CancellationToken.None);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            if (locked is null)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
            }

            batch.BatchCommands.Add(Append(write));
            batch.BatchCommands.Add(Command(_snapshot, Text(write.StreamId), Json(write.SnapshotJson), Long(write.Version), Text(write.SnapshotType)));
            foreach (var (sql, values) in write.Beside)
            {
                batch.BatchCommands.Add(Command(sql, [.. values.Select(v => new NpgsqlParameter { Value = v })]));
            }
            if (claim is not null)
            {
                var values = IdempotencyStore.CompletionValues(claim.Principal, claim.Key, answer.Status, answer.Body, answer.ETag, answer.Location);
                batch.BatchCommands.Add(Command(idempotency.CompletePositionalSql, [.. values.Select(v => new NpgsqlParameter { Value = v })]));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
            using (var span = LedgerMetrics.Source.StartActivity("ledger.append"))
            {
                span?.SetTag("ledger.agreement_id", write.StreamId);
                span?.SetTag("ledger.event_types", string.Join(',', write.Events.Select(e => e.Event.EventTypeName)));
                span?.SetTag("ledger.stream_version", write.Version);
                span?.SetTag("ledger.append.locked", locked is not null);
                try
                {
                    await batch.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (Exception) when (connection.State == ConnectionState.Open)
                {
                    // The batch stopped at its first failing statement, before COMMIT: end the failed transaction here
                    // rather than hand the pool a connection inside it.
                    await RollbackAsync(connection);
                    throw;
                }
                finally
                {
                    locked?.Ended = true;
                }
            }
        }
        finally
        {
            if (locked is null)
            {
                await connection.DisposeAsync();
            }
        }

        claim?.Completed = true;
        foreach (var (e, _) in write.Events)
        {
            metrics.EventAppended(e.EventTypeName);
        }
    }

    /// <summary>
    /// A stream's recorded version and its stored snapshot's JSON, read together without a lock (null when the stream
    /// does not exist; the snapshot's JSON null when it has none): what a command decides on when it has no state of it.
    /// </summary>
    public async Task<(long Version, string? Snapshot)?> ReadAsync(string streamId, CancellationToken ct)
    {
        await using var read = db.CreateCommand(_readStream);
        read.Parameters.Add(Text(streamId));
        await using var reader = await read.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
    }

    /// <summary>
    /// Opens a transaction that holds stream <paramref name="streamId"/>'s row lock and reads its version and snapshot
    /// under it (one round trip): a command decided on what it reads there cannot lose to another writer. Null when
    /// the stream does not exist. The caller commits through <see cref="CommitAsync"/> or disposes (rolls back).
    /// </summary>
    public async Task<StreamLock?> LockAsync(string streamId, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
            // The snapshot is read by a statement of its own, after the lock: in READ COMMITTED a statement that waited
            // for the lock sees the locked row as committed, but a row it joined to as it was when the statement began.
            batch.BatchCommands.Add(Command(_lockStream, Text(streamId)));
            batch.BatchCommands.Add(Command(_readSnapshot, Text(streamId)));
            long? version = null;
            string? snapshot = null;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    version = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
                }

                await reader.NextResultAsync(ct);
                if (await reader.ReadAsync(ct))
                {
                    snapshot = reader.GetString(0);
                }
            }

            if (version is not { } found)
            {
                // No stream, so no lock: end the transaction begun above before the connection goes back to the pool.
                await RollbackAsync(connection);
                await connection.DisposeAsync();
                return null;
            }

            return new StreamLock(connection, found, snapshot);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the transaction open on <paramref name="connection"/> (one a failed batch left, or a lock not used).</summary>
    internal static async Task RollbackAsync(NpgsqlConnection connection)
    {
        await using var rollback = new NpgsqlCommand("rollback", connection);
        await rollback.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private NpgsqlBatchCommand Append(StreamWrite write)
    {
        var events = write.Events;
        return Command(_append,
            Text(write.StreamId),
            Text(write.StreamType),
            Text(MartenTables.DefaultTenant),
            new NpgsqlParameter<Guid[]> { TypedValue = [.. events.Select(_ => Guid.CreateVersion7())] },
            new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Event.EventTypeName)] },
            new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => MartenTables.DotNetTypeName(e.Event.EventType))] },
            new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => e.Json)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
            new NpgsqlParameter<string[]> { TypedValue = [.. events.Select(e => MartenTables.HeadersJson(e.Event))], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
            new NpgsqlParameter<string?[]> { TypedValue = [.. events.Select(e => e.Event.UserName)] },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. events.Select(e => e.Event.Timestamp)] },
            Long(write.ExpectedVersion));
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new NpgsqlParameter<string> { TypedValue = value };

    private static NpgsqlParameter<long> Long(long value) => new NpgsqlParameter<long> { TypedValue = value };

    private static NpgsqlParameter<string> Json(string value) => new NpgsqlParameter<string> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Jsonb };
}
