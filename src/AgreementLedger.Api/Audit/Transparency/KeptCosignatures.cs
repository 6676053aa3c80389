using System.Globalization;
using AgreementLedger.Ledger;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The witnesses' cosignatures of the kept checkpoints (<c>ledger.audit_cosignatures</c>), one per checkpoint size
/// and witness key: only those that verified with the witness's configured key when it answered are kept, and
/// <c>GET /audit/checkpoint</c> serves them in <c>cosignatures</c>.
/// </summary>
public sealed class KeptCosignatures(NpgsqlDataSource db, LedgerSchema schema)
{
    public const string TableName = "audit_cosignatures";

    private string Kept => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("origin").AsPrimaryKey();
        table.AddColumn<long>("tree_size").AsPrimaryKey();
        table.AddColumn<string>("key_id").AsPrimaryKey();
        table.AddColumn<string>("witness").NotNull();
        table.AddColumn("cosigned_at", "timestamp with time zone").NotNull();
        table.AddColumn<string>("signature").NotNull();
        return table;
    }

    /// <summary>Keeps the cosignatures of the checkpoint of <paramref name="treeSize"/> in the log <paramref name="origin"/>; a witness key's first one for a size stays.</summary>
    public async Task KeepAsync(string origin, long treeSize, IReadOnlyList<Cosignature> cosignatures, CancellationToken ct)
    {
        foreach (var cosignature in cosignatures)
        {
            await using var keep = db.CreateCommand(
                $"insert into {Kept} (origin, tree_size, key_id, witness, cosigned_at, signature) values ($1, $2, $3, $4, $5, $6) on conflict do nothing");
            keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin });
            keep.Parameters.Add(new NpgsqlParameter<long> { TypedValue = treeSize });
            keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cosignature.KeyId });
            keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cosignature.Witness });
            keep.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.Parse(cosignature.Timestamp, CultureInfo.InvariantCulture).ToUniversalTime() });
            keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cosignature.Signature });
            await keep.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// The largest size above <paramref name="treeSize"/> and at most <paramref name="upTo"/> with a kept cosignature in the
    /// log <paramref name="origin"/>, or null: the export's <c>consistency</c> record points an export of a size no witness
    /// cosigned to the newest one that was.
    /// </summary>
    public async Task<long?> NewestSizeAboveAsync(string origin, long treeSize, long upTo, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select max(tree_size) from {Kept} where origin = $1 and tree_size > $2 and tree_size <= $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = treeSize });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        return await command.ExecuteScalarAsync(ct) is long size ? size : null;
    }

    /// <summary>The kept cosignatures of the checkpoint of <paramref name="treeSize"/> in the log <paramref name="origin"/>, oldest first.</summary>
    public async Task<IReadOnlyList<Cosignature>> OfAsync(string origin, long treeSize, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select witness, key_id, cosigned_at, signature from {Kept} where origin = $1 and tree_size = $2 order by cosigned_at, key_id");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = treeSize });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var found = new List<Cosignature>();
        while (await reader.ReadAsync(ct))
        {
            found.Add(new Cosignature(reader.GetString(0), reader.GetString(1), CheckpointLog.Timestamp(reader.GetFieldValue<DateTimeOffset>(2)), reader.GetString(3)));
        }

        return found;
    }
}
