using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Subscriptions.Webhooks;

public sealed record WebhookStatus(string? LastSuccessAt, int ConsecutiveFailures, int? LastStatus, string? LastError, string? NextAttemptAt);

/// <summary>A registered webhook as the API shows it (never with its secret).</summary>
/// <summary>A subscription as answered; <c>types</c> is always present, <c>[]</c> meaning every event type.</summary>
public sealed record WebhookSubscription(string Id, string Url, IReadOnlyList<string> Types, string CreatedAt, long Position, WebhookStatus Status);

/// <summary>
/// Webhook subscriptions and their delivery state. Each subscription follows the gap-safe feed
/// with its own cursor (the position last delivered), so deliveries are in ledger order — hence in
/// order per agreement — and survive restarts: the ledger itself is the outbox. A subscription is
/// delivered by the node holding its lease (<c>lease_holder</c>, until <c>lease_until</c> on the
/// database's clock); every write of delivery state names the holder, so a node whose lease lapsed
/// and was taken over changes nothing and stops. Secrets are stored sealed (<see cref="WebhookSecretKey"/>).
/// </summary>
public sealed class WebhookStore(NpgsqlDataSource db, LedgerSchema schema, WebhookSecretKey secrets)
{
    public const string TableName = "webhook_subscriptions";

    private string Table => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("id").AsPrimaryKey();
        table.AddColumn<string>("url").NotNull();
        table.AddColumn("types", "text[]");
        table.AddColumn<string>("secret").NotNull();
        // False for rows written before secrets were sealed: the column arrives with that default, and
        // SealPlainSecretsAsync seals those rows when a node starts.
        table.AddColumn<bool>("secret_sealed").NotNull().DefaultValueByExpression("false");
        table.AddColumn("created_at", "timestamp with time zone").NotNull();
        table.AddColumn<long>("position").NotNull();
        table.AddColumn("last_success_at", "timestamp with time zone");
        table.AddColumn<int>("failures").NotNull().DefaultValue(0);
        table.AddColumn<int>("last_status");
        table.AddColumn<string>("last_error");
        table.AddColumn("next_attempt_at", "timestamp with time zone").NotNull();
        table.AddColumn("lease_until", "timestamp with time zone");
        table.AddColumn<string>("lease_holder");
        return table;
    }

    private const string Columns = "id, url, types, created_at, position, last_success_at, failures, last_status, last_error, next_attempt_at";

    /// <summary>
    /// Registers a subscription. <paramref name="complete"/>, given the subscription as stored, returns
    /// a statement to run in the same transaction (the idempotency record of the answer), or null.
    /// </summary>
    public async Task<WebhookSubscription> AddAsync(
        string url, IReadOnlyList<string>? types, string secret, long position, DateTimeOffset now,
        Func<WebhookSubscription, NpgsqlCommand?> complete, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"insert into {Table} (id, url, types, secret, secret_sealed, created_at, position, next_attempt_at) values (@id, @url, @types, @secret, true, @now, @position, @now) returning {Columns}",
            connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("url", url);
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)types?.ToArray() ?? DBNull.Value });
        command.Parameters.AddWithValue("secret", secrets.Seal(id, secret));
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("position", position);
        var added = (await ReadAsync(command, ct)).Single();
        if (complete(added) is { } completion)
        {
            await using (completion)
            {
                completion.Connection = connection;
                completion.Transaction = transaction;
                await completion.ExecuteNonQueryAsync(ct);
            }
        }

        await transaction.CommitAsync(CancellationToken.None);
        return added;
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select {Columns} from {Table} order by created_at, id");
        return await ReadAsync(command, ct);
    }

    public async Task<WebhookSubscription?> FindAsync(string id, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select {Columns} from {Table} where id = @id");
        command.Parameters.AddWithValue("id", id);
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"delete from {Table} where id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// A subscription due for delivery, leased to <paramref name="Holder"/>. <paramref name="Secret"/> is the
    /// secret to sign with, or null when it does not open (<paramref name="SecretFailure"/> says why).
    /// </summary>
    public sealed record Lease(string Id, string Holder, string Url, IReadOnlySet<string>? Types, string? Secret, string? SecretFailure, long Position, int Failures);

    /// <summary>
    /// Leases at most <paramref name="limit"/> due subscriptions (the longest waiting first) to
    /// <paramref name="holder"/> for <paramref name="leaseFor"/>, skipping rows another node is leasing right now
    /// and those in <paramref name="busy"/> (still being delivered by this node).
    /// </summary>
    public async Task<IReadOnlyList<Lease>> LeaseDueAsync(string holder, DateTimeOffset now, TimeSpan leaseFor, int limit, string[] busy, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set lease_until = clock_timestamp() + @lease, lease_holder = @holder where id in (" +
            $"select id from {Table} where next_attempt_at <= @now and (lease_until is null or lease_until < clock_timestamp()) and id <> all(@busy) " +
            "order by next_attempt_at, id limit @limit for update skip locked) " +
            "returning id, url, types, secret, secret_sealed, position, failures");
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", leaseFor);
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("busy", busy);
        var leases = new List<Lease>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            string? failure = null;
            var secret = reader.GetBoolean(4) ? secrets.Open(id, reader.GetString(3), out failure) : reader.GetString(3);
            leases.Add(new Lease(
                id, holder, reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2).ToHashSet(StringComparer.Ordinal),
                secret, failure, reader.GetInt64(5), reader.GetInt32(6)));
        }

        return leases;
    }

    /// <summary>Extends the lease before a request, so no other node takes the subscription while it is in flight; false once the lease is another's.</summary>
    public async Task<bool> RenewAsync(Lease lease, TimeSpan leaseFor, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"update {Table} set lease_until = clock_timestamp() + @lease where id = @id and lease_holder = @holder");
        command.Parameters.AddWithValue("id", lease.Id);
        command.Parameters.AddWithValue("holder", lease.Holder);
        command.Parameters.AddWithValue("lease", leaseFor);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Records a delivery; false (and nothing recorded) when the lease is no longer the holder's.</summary>
    public async Task<bool> DeliveredAsync(Lease lease, long position, int status, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set position = greatest(position, @position), last_success_at = @now, last_status = @status, failures = 0, last_error = null " +
            "where id = @id and lease_holder = @holder");
        command.Parameters.AddWithValue("id", lease.Id);
        command.Parameters.AddWithValue("holder", lease.Holder);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("now", now);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Moves past positions that held nothing for this subscription (filtered out, or gaps) and gives the lease back.</summary>
    public async Task<bool> AdvanceAndReleaseAsync(Lease lease, long position, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set position = greatest(position, @position), lease_until = null, lease_holder = null, next_attempt_at = @next " +
            "where id = @id and lease_holder = @holder");
        command.Parameters.AddWithValue("id", lease.Id);
        command.Parameters.AddWithValue("holder", lease.Holder);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("next", nextAttempt);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Records a failed attempt and gives the lease back until <paramref name="nextAttempt"/>.</summary>
    public async Task<bool> FailedAsync(Lease lease, int? status, string error, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set failures = failures + 1, last_status = @status, last_error = @error, next_attempt_at = @next, lease_until = null, lease_holder = null " +
            "where id = @id and lease_holder = @holder");
        command.Parameters.AddWithValue("id", lease.Id);
        command.Parameters.AddWithValue("holder", lease.Holder);
        command.Parameters.AddWithValue("status", (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.AddWithValue("next", nextAttempt);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Seals every secret still stored in plain text (rows from before secrets were sealed); returns
    /// how many. Safe on several nodes at once: a row is sealed only while it is still unsealed.
    /// </summary>
    public async Task<int> SealPlainSecretsAsync(CancellationToken ct)
    {
        var plain = new List<(string Id, string Secret)>();
        await using (var select = db.CreateCommand($"select id, secret from {Table} where not secret_sealed"))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                plain.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var sealedCount = 0;
        foreach (var (id, secret) in plain)
        {
            await using var update = db.CreateCommand($"update {Table} set secret = @sealed, secret_sealed = true where id = @id and not secret_sealed and secret = @plain");
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("plain", secret);
            update.Parameters.AddWithValue("sealed", secrets.Seal(id, secret));
            sealedCount += await update.ExecuteNonQueryAsync(ct);
        }

        return sealedCount;
    }

    private static async Task<IReadOnlyList<WebhookSubscription>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var found = new List<WebhookSubscription>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var failures = reader.GetInt32(6);
            found.Add(new WebhookSubscription(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? [] : reader.GetFieldValue<string[]>(2),
                EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(3)),
                reader.GetInt64(4),
                new WebhookStatus(
                    reader.IsDBNull(5) ? null : EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(5)),
                    failures,
                    reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    failures > 0 ? EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(9)) : null)));
        }

        return found;
    }
}
