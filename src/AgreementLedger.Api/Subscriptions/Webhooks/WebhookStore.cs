using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// Webhook subscriptions and their delivery state. Each subscription follows the gap-safe feed
/// with its own cursor (the position last delivered), so deliveries are in ledger order — hence in
/// order per agreement — and survive restarts: the ledger itself is the outbox. A subscription is
/// delivered by the node holding its lease (<c>lease_holder</c>, until <c>lease_until</c> on the
/// database's clock: <see cref="WebhookLeases"/>). Secrets are stored sealed (<see cref="WebhookSecretKey"/>).
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
