using System.Text;
using AgreementLedger.Ledger;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Agreements.Checkpoints;

/// <summary>A kept state and what it was kept for: the agreement, the version, that version's event hash.</summary>
public sealed record VersionCheckpoint(string AgreementId, long Version, string EventHash, VersionState State);

/// <summary>
/// <c>ledger.agreement_checkpoints</c>: the fold's state (<see cref="VersionState"/>) kept at some versions of
/// each agreement, keyed by the agreement, the version and the hash of the event at that version, with a
/// SHA-256 over that hash and the state as stored. A row is used only when its event hash is the stored
/// event's and its state hashes to what it claims; anything else (a row altered or left from another
/// history) is passed over and the fold answers from the events, so a checkpoint never changes an answer,
/// and the row is written again. Rows are only a cache: dropping them all (<see cref="DropAllAsync"/>,
/// as <c>rebuild-snapshots</c> does) costs only time.
/// </summary>
public sealed class VersionCheckpoints(NpgsqlDataSource db, LedgerSchema schema, IDocumentStore store)
{
    public const string TableName = "agreement_checkpoints";

    private string Table => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("agreement_id").AsPrimaryKey();
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn<string>("event_hash").NotNull();
        table.AddColumn("recorded_at", "timestamp with time zone").NotNull();
        table.AddColumn("state", "bytea").NotNull();
        table.AddColumn<string>("state_hash").NotNull();
        // asOf finds the newest checkpoint recorded by then; a version finds it by the primary key.
        table.Indexes.Add(new IndexDefinition($"{TableName}_recorded_at") { Columns = ["agreement_id", "recorded_at"] });
        return table;
    }

    /// <summary>
    /// The newest checkpoint of <paramref name="agreementId"/> at or before <paramref name="upToVersion"/>, or
    /// recorded at or before <paramref name="asOf"/>, whose state is intact (it hashes to its row's
    /// state_hash); null when there is none. Whether its event hash is the stored event's is the caller's check.
    /// </summary>
    public async Task<VersionCheckpoint?> NearestAsync(string agreementId, DateTimeOffset? asOf, long? upToVersion, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"select version, event_hash, state, state_hash from {Table} where agreement_id = @id" +
            (asOf is null ? "" : " and recorded_at <= @asOf") +
            (upToVersion is null ? "" : " and version <= @version") +
            " order by version desc limit 1");
        command.Parameters.AddWithValue("id", agreementId);
        if (asOf is { } at)
        {
            command.Parameters.AddWithValue("asOf", at);
        }

        if (upToVersion is { } version)
        {
            command.Parameters.AddWithValue("version", version);
        }

        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var (kept, eventHash) = (reader.GetInt64(0), reader.GetString(1));
        var state = reader.GetFieldValue<byte[]>(2);
        if (reader.GetString(3) != StateHash(eventHash, state))
        {
            return null;
        }

        var folded = store.Options.Serializer().FromJson<VersionState>(new MemoryStream(state));
        return folded.Version == kept ? new VersionCheckpoint(agreementId, kept, eventHash, folded.AsFolded()) : null;
    }

    /// <summary>Keeps these states of <paramref name="agreementId"/> (each after its version), replacing rows at the same versions.</summary>
    public async Task KeepAsync(string agreementId, IReadOnlyList<VersionState> states, CancellationToken ct)
    {
        if (states.Count == 0)
        {
            return;
        }

        var serializer = store.Options.Serializer();
        await using var batch = db.CreateBatch();
        foreach (var state in states)
        {
            var bytes = Encoding.UTF8.GetBytes(serializer.ToJson(state));
            var command = new NpgsqlBatchCommand(
                $"insert into {Table} (agreement_id, version, event_hash, recorded_at, state, state_hash) values ($1, $2, $3, $4, $5, $6) " +
                "on conflict (agreement_id, version) do update set event_hash = excluded.event_hash, recorded_at = excluded.recorded_at, " +
                "state = excluded.state, state_hash = excluded.state_hash");
            command.Parameters.Add(new NpgsqlParameter { Value = agreementId });
            command.Parameters.Add(new NpgsqlParameter { Value = state.Version });
            command.Parameters.Add(new NpgsqlParameter { Value = state.LastHash });
            command.Parameters.Add(new NpgsqlParameter { Value = state.LastRecordedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = bytes, NpgsqlDbType = NpgsqlDbType.Bytea });
            command.Parameters.Add(new NpgsqlParameter { Value = StateHash(state.LastHash, bytes) });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Drops every checkpoint, inside the caller's transaction (row by row, so reads meanwhile are not
    /// blocked): reads keep them again as they fold.
    /// </summary>
    public async Task DropAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"delete from {Table}", connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>SHA-256 over the event hash the state is kept for and the state as stored.</summary>
    private static string StateHash(string eventHash, byte[] state) =>
        Convert.ToHexStringLower(Sha256.Hash([.. Encoding.UTF8.GetBytes(eventHash), 0, .. state]));
}
