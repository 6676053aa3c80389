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

    /// <summary>
    /// The newest position all of whose events (and all before it) were recorded by <paramref name="asOf"/>;
    /// <see cref="long.MaxValue"/> when every stored event was.
    /// </summary>
    public async Task<long> LastKnownAtAsync(DateTimeOffset asOf, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select min(seq_id) from {schema.Events}.mt_events where timestamp > @asOf");
        command.Parameters.AddWithValue("asOf", asOf);
        return await command.ExecuteScalarAsync(ct) is long firstLater ? firstLater - 1 : long.MaxValue;
    }
}
