using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// That the ledger's history has diverged (docs/api.md, "Witnesses"), kept durably in <c>ledger.audit_divergences</c>:
/// once the stored events no longer yield a checkpoint the service or a witness signed, the service signs nothing new
/// and answers <c>/problems/history-diverged</c> for its digest, checkpoint and export. Deleting the row (with the
/// kept digests and checkpoints) does not make the history good: the witnesses remember, and the next check finds it again.
/// </summary>
public sealed class HistoryDivergence(NpgsqlDataSource db, LedgerSchema schema)
{
    public const string TableName = "audit_divergences";

    /// <summary>The problem type's code: <c>/problems/history-diverged</c>, 503.</summary>
    public const string Problem = Problems.HistoryDiverged;

    /// <summary>The 503 of the three routes that sign or serve as signed, as the OpenAPI document gives it.</summary>
    public const string OpenApiDescription =
        "`/problems/history-diverged`: the stored events no longer yield a checkpoint the service or a witness signed (with its `treeSize`, `rootHash` and `signedBy`; `Retry-After` 3600); " +
        "or `/problems/unavailable`: the database, or a stored node of the Merkle tree, is not there (with `Retry-After`).";

    private string Kept => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("tree_size").AsPrimaryKey();
        table.AddColumn<string>("root_hash").AsPrimaryKey();
        table.AddColumn<string>("signed_by").NotNull();
        table.AddColumn<string>("reason").NotNull();
        table.AddColumn("noticed_at", "timestamp with time zone").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>Records <paramref name="diverged"/>; the first record of a checkpoint stays.</summary>
    public async Task RecordAsync(DivergedCheckpoint diverged, CancellationToken ct)
    {
        await using var record = db.CreateCommand($"insert into {Kept} (tree_size, root_hash, signed_by, reason) values ($1, $2, $3, $4) on conflict do nothing");
        record.Parameters.Add(new NpgsqlParameter<long> { TypedValue = diverged.TreeSize });
        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = diverged.RootHash });
        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = diverged.SignedBy });
        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = diverged.Reason });
        await record.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first divergence recorded, or null while the history is good.</summary>
    public async Task<DivergedCheckpoint?> CurrentAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select tree_size, root_hash, signed_by, reason from {Kept} order by noticed_at, tree_size limit 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new DivergedCheckpoint(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)) : null;
    }

    /// <summary>The 503 <c>/problems/history-diverged</c> naming the checkpoint, with its <c>treeSize</c>, <c>rootHash</c> and <c>signedBy</c>.</summary>
    public static ProblemDetails ProblemOf(DivergedCheckpoint diverged)
    {
        var problem = Problems.Create(StatusCodes.Status503ServiceUnavailable, Problem, "History diverged",
            $"The stored events no longer yield {diverged.Named} ({diverged.Reason}): the service signs nothing until the ledger is restored past it or a new log is started.");
        problem.Extensions["treeSize"] = diverged.TreeSize;
        problem.Extensions["rootHash"] = diverged.RootHash;
        problem.Extensions["signedBy"] = diverged.SignedBy;
        return problem;
    }
}
