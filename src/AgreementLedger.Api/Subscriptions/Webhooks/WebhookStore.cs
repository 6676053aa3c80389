using AgreementLedger.Infrastructure;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Subscriptions.Webhooks;

public sealed record WebhookStatus(string? LastSuccessAt, int ConsecutiveFailures, int? LastStatus, string? LastError, string? NextAttemptAt);

/// <summary>A registered webhook as the API shows it (never with its secret).</summary>
public sealed record WebhookSubscription(string Id, string Url, IReadOnlyList<string>? Types, string CreatedAt, long Position, WebhookStatus Status);

/// <summary>
/// Webhook subscriptions and their delivery state. Each subscription follows the gap-safe feed
/// with its own cursor (the position last delivered), so deliveries are in ledger order — hence in
/// order per agreement — and survive restarts: the ledger itself is the outbox.
/// </summary>
public sealed class WebhookStore(NpgsqlDataSource db, LedgerSchema schema)
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
        table.AddColumn("created_at", "timestamp with time zone").NotNull();
        table.AddColumn<long>("position").NotNull();
        table.AddColumn("last_success_at", "timestamp with time zone");
        table.AddColumn<int>("failures").NotNull().DefaultValue(0);
        table.AddColumn<int>("last_status");
        table.AddColumn<string>("last_error");
        table.AddColumn("next_attempt_at", "timestamp with time zone").NotNull();
        table.AddColumn("lease_until", "timestamp with time zone");
        return table;
    }

    private const string Columns = "id, url, types, created_at, position, last_success_at, failures, last_status, last_error, next_attempt_at";

    public async Task<WebhookSubscription> AddAsync(string url, IReadOnlyList<string>? types, string secret, long position, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"insert into {Table} (id, url, types, secret, created_at, position, next_attempt_at) values (@id, @url, @types, @secret, @now, @position, @now) returning {Columns}");
        command.Parameters.AddWithValue("id", Guid.NewGuid().ToString());
        command.Parameters.AddWithValue("url", url);
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)types?.ToArray() ?? DBNull.Value });
        command.Parameters.AddWithValue("secret", secret);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("position", position);
        return (await ReadAsync(command, ct)).Single();
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

    /// <summary>A subscription due for delivery, leased to this node so that no other node delivers it meanwhile.</summary>
    public sealed record Lease(string Id, string Url, IReadOnlySet<string>? Types, string Secret, long Position, int Failures);

    public async Task<IReadOnlyList<Lease>> LeaseDueAsync(DateTimeOffset now, TimeSpan leaseFor, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set lease_until = @until where id in (select id from {Table} where next_attempt_at <= @now and (lease_until is null or lease_until < @now) for update skip locked) " +
            "returning id, url, types, secret, position, failures");
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("until", now + leaseFor);
        var leases = new List<Lease>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            leases.Add(new Lease(
                reader.GetString(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2).ToHashSet(StringComparer.Ordinal),
                reader.GetString(3), reader.GetInt64(4), reader.GetInt32(5)));
        }

        return leases;
    }

    /// <summary>Records a delivery and extends the lease, so a slow batch is not taken over while it progresses.</summary>
    public async Task DeliveredAsync(string id, long position, int status, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set position = greatest(position, @position), last_success_at = @now, last_status = @status, failures = 0, last_error = null, lease_until = @until where id = @id");
        command.Parameters.AddWithValue("until", leaseUntil);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Moves past positions that held nothing for this subscription (filtered out, or gaps).</summary>
    public async Task AdvanceAsync(string id, long position, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"update {Table} set position = greatest(position, @position) where id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("position", position);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task FailedAsync(string id, int? status, string error, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"update {Table} set failures = failures + 1, last_status = @status, last_error = @error, next_attempt_at = @next, lease_until = null where id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("status", (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.AddWithValue("next", nextAttempt);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task ReleaseAsync(string id, DateTimeOffset nextAttempt, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"update {Table} set lease_until = null, next_attempt_at = @next where id = @id");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("next", nextAttempt);
        await command.ExecuteNonQueryAsync(ct);
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
                reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2),
                Agreements.EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(3)),
                reader.GetInt64(4),
                new WebhookStatus(
                    reader.IsDBNull(5) ? null : Agreements.EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(5)),
                    failures,
                    reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    failures > 0 ? Agreements.EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(9)) : null)));
        }

        return found;
    }
}
