using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>The newest stored position: the head every lag (feed, relay, projections, webhooks) is measured from.</summary>
public sealed class EventPositions(NpgsqlDataSource db, LedgerSchema schema)
{
    /// <summary>One row, one column: the newest stored position, 0 for an empty ledger. Also for use as a scalar subquery.</summary>
    public static string NewestQuery(LedgerSchema schema) => $"select coalesce(max(seq_id), 0) from {schema.Events}.mt_events";

    public async Task<long> NewestAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand(NewestQuery(schema));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
