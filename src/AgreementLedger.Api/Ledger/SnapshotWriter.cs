using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Ledger;

/// <summary>
/// Writes agreement snapshots into the inline projection's document table by hand, for the bulk
/// import (new rows by COPY), the one-pass rebuild (staged by COPY, then one upsert) and the repair of
/// one snapshot. A rebuilt snapshot never replaces a newer one a command stored meanwhile.
/// </summary>
public sealed class SnapshotWriter(NpgsqlDataSource db, LedgerSchema schema)
{
    /// <summary>The upsert's tail: a rebuilt snapshot replaces the stored one unless that one is newer.</summary>
    private const string NeverOlder =
        "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified " +
        "where d.mt_version <= excluded.mt_version";

    private const string Staged = "rebuilt_agreement";

    private string Table => $"{schema.Events}.{MartenTables.Snapshots}";

    /// <summary>Snapshots of streams that are new in the caller's transaction (the bulk import: nothing to upsert over).</summary>
    public async Task CopyNewAsync(NpgsqlConnection connection, IEnumerable<(string Id, string Json, long Version)> snapshots, string documentType, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"copy {Table} (id, data, mt_dotnet_type, mt_version) from stdin (format binary)", ct);
        foreach (var (id, json, version) in snapshots)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(json, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(documentType, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(version, NpgsqlDbType.Bigint, ct);
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>Starts staging rebuilt snapshots in a temporary table of the caller's transaction; <see cref="UpsertStagedAsync"/> writes them.</summary>
    public static async Task<NpgsqlBinaryImporter> BeginStagingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using (var temp = new NpgsqlCommand(
            $"create temp table {Staged} (id varchar primary key, data jsonb, mt_version bigint) on commit drop", connection, transaction))
        {
            await temp.ExecuteNonQueryAsync(ct);
        }

        return await connection.BeginBinaryImportAsync($"copy {Staged} (id, data, mt_version) from stdin (format binary)", ct);
    }

    /// <summary>Stages one rebuilt snapshot.</summary>
    public static async Task StageAsync(NpgsqlBinaryImporter staging, string id, string json, long version, CancellationToken ct)
    {
        await staging.StartRowAsync(ct);
        await staging.WriteAsync(id, NpgsqlDbType.Varchar, ct);
        await staging.WriteAsync(json, NpgsqlDbType.Jsonb, ct);
        await staging.WriteAsync(version, NpgsqlDbType.Bigint, ct);
    }

    /// <summary>Writes every staged snapshot in one statement, never over a newer one; how many were written.</summary>
    public async Task<long> UpsertStagedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string documentType, CancellationToken ct)
    {
        await using var upsert = new NpgsqlCommand(
            $"insert into {Table} as d ({MartenTables.Columns(MartenTables.SnapshotColumns)}) " +
            $"select id, data, mt_version, @type, transaction_timestamp() from {Staged} " +
            NeverOlder, connection, transaction);
        upsert.Parameters.AddWithValue("type", documentType);
        upsert.CommandTimeout = 0;
        return await upsert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Writes one rebuilt snapshot in its own transaction, unless a newer one is stored.</summary>
    public async Task UpsertAsync(string id, string json, long version, string documentType, CancellationToken ct)
    {
        await using var upsert = db.CreateCommand(
            $"insert into {Table} as d ({MartenTables.Columns(MartenTables.SnapshotColumns)}) " +
            "values (@id, @data, @version, @type, transaction_timestamp()) " +
            NeverOlder);
        upsert.Parameters.AddWithValue("id", id);
        upsert.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = json });
        upsert.Parameters.AddWithValue("version", version);
        upsert.Parameters.AddWithValue("type", documentType);
        await upsert.ExecuteNonQueryAsync(ct);
    }
}
