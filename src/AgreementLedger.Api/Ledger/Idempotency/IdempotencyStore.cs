using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Ledger.Idempotency;

/// <summary>
/// The idempotency_keys table: a row is claimed ("running") in its own transaction when a keyed
/// command starts, completed ("done") in the command's own transaction together with its events,
/// and deleted again when the command answers anything but 2xx.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource db, LedgerSchema schema)
{
    public const string TableName = "idempotency_keys";

    private string Table => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("principal").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<string>("fingerprint").NotNull();
        table.AddColumn<string>("state").NotNull();
        table.AddColumn<int>("status");
        table.AddColumn<string>("body");
        table.AddColumn<string>("etag");
        table.AddColumn<string>("location");
        table.AddColumn("claimed_at", "timestamp with time zone").NotNull();
        table.AddColumn("expires_at", "timestamp with time zone").NotNull();
        return table;
    }

    public async Task<ClaimOutcome> ClaimAsync(string principal, string key, string fingerprint, DateTimeOffset now, IdempotencyOptions options, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // Expired answers and abandoned claims (their process died) no longer count.
        await using (var purge = new NpgsqlCommand(
            $"delete from {Table} where principal = $1 and key = $2 and (expires_at < $3 or (state = 'running' and claimed_at < $4))", connection))
        {
            purge.Parameters.Add(new NpgsqlParameter { Value = principal });
            purge.Parameters.Add(new NpgsqlParameter { Value = key });
            purge.Parameters.Add(new NpgsqlParameter { Value = now });
            purge.Parameters.Add(new NpgsqlParameter { Value = now - options.InFlightLease });
            await purge.ExecuteNonQueryAsync(ct);
        }

        await using (var claim = new NpgsqlCommand(
            $"insert into {Table} (principal, key, fingerprint, state, claimed_at, expires_at) values ($1, $2, $3, 'running', $4, $5) on conflict do nothing", connection))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = principal });
            claim.Parameters.Add(new NpgsqlParameter { Value = key });
            claim.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
            claim.Parameters.Add(new NpgsqlParameter { Value = now });
            claim.Parameters.Add(new NpgsqlParameter { Value = now + options.Expiry });
            if (await claim.ExecuteNonQueryAsync(ct) == 1)
            {
                return new ClaimOutcome.Claimed();
            }
        }

        await using var read = new NpgsqlCommand(
            $"select fingerprint, state, status, body, etag, location from {Table} where principal = $1 and key = $2", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = principal });
        read.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await read.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            // The holder finished with a non-2xx answer between our insert and this read: try again.
            await reader.DisposeAsync();
            return await ClaimAsync(principal, key, fingerprint, now, options, ct);
        }

        if (reader.GetString(0) != fingerprint)
        {
            return new ClaimOutcome.OtherBody();
        }

        if (reader.GetString(1) != "done")
        {
            return new ClaimOutcome.InFlight();
        }

        return new ClaimOutcome.Replay(new StoredAnswer(
            reader.GetInt32(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5)));
    }

    /// <summary>
    /// Drops a claim whose request did not answer 2xx (non-2xx answers are not stored): only that
    /// claim, never a later one made after its lease ran out.
    /// </summary>
    public async Task ReleaseAsync(string principal, string key, DateTimeOffset claimedAt, CancellationToken ct)
    {
        await using var release = db.CreateCommand($"delete from {Table} where principal = $1 and key = $2 and state = 'running' and claimed_at = $3");
        release.Parameters.Add(new NpgsqlParameter { Value = principal });
        release.Parameters.Add(new NpgsqlParameter { Value = key });
        release.Parameters.Add(new NpgsqlParameter { Value = claimedAt });
        await release.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The SQL that completes a claim inside the command's transaction, with Npgsql's positional parameters
    /// (<see cref="CompletionValues"/> in order); built once.
    /// </summary>
    public string CompletePositionalSql { get; } =
        $"update {schema.Events}.{TableName} set state = 'done', status = $1, body = $2, etag = $3, location = $4 where principal = $5 and key = $6";

    /// <summary>The values of <see cref="CompletePositionalSql"/>, in its parameters' order.</summary>
    public static object[] CompletionValues(string principal, string key, int status, string body, string? etag, string? location) =>
        [status, body, etag ?? (object)DBNull.Value, location ?? (object)DBNull.Value, principal, key];

    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var purge = db.CreateCommand($"delete from {Table} where expires_at < $1");
        purge.Parameters.Add(new NpgsqlParameter { Value = now });
        return await purge.ExecuteNonQueryAsync(ct);
    }
}
