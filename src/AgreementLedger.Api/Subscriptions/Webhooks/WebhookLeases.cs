using AgreementLedger.Ledger;
using Npgsql;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// The delivery state of the webhook subscriptions (<see cref="WebhookStore"/>'s table), as the
/// <see cref="WebhookDispatcher"/> writes it. A subscription is delivered by the node holding its lease
/// (<c>lease_holder</c>, until <c>lease_until</c> on the database's clock); every write of delivery state
/// names the holder, so a node whose lease lapsed and was taken over changes nothing and stops.
/// </summary>
public sealed class WebhookLeases(NpgsqlDataSource db, LedgerSchema schema, WebhookSecretKey secrets)
{
    private string Table => $"{schema.Events}.{WebhookStore.TableName}";

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
    public Task<bool> RenewAsync(Lease lease, TimeSpan leaseFor, CancellationToken ct) =>
        UpdateHeldAsync(lease, "lease_until = clock_timestamp() + @lease", ct, ("lease", leaseFor));

    /// <summary>Records a delivery; false (and nothing recorded) when the lease is no longer the holder's.</summary>
    public Task<bool> DeliveredAsync(Lease lease, long position, int status, DateTimeOffset now, CancellationToken ct) =>
        UpdateHeldAsync(lease, "position = greatest(position, @position), last_success_at = @now, last_status = @status, failures = 0, last_error = null", ct,
            ("position", position), ("status", status), ("now", now));

    /// <summary>Moves past positions that held nothing for this subscription (filtered out, or gaps) and gives the lease back.</summary>
    public Task<bool> AdvanceAndReleaseAsync(Lease lease, long position, DateTimeOffset nextAttempt, CancellationToken ct) =>
        UpdateHeldAsync(lease, "position = greatest(position, @position), lease_until = null, lease_holder = null, next_attempt_at = @next", ct,
            ("position", position), ("next", nextAttempt));

    /// <summary>Records a failed attempt and gives the lease back until <paramref name="nextAttempt"/>.</summary>
    public Task<bool> FailedAsync(Lease lease, int? status, string error, DateTimeOffset nextAttempt, CancellationToken ct) =>
        UpdateHeldAsync(lease, "failures = failures + 1, last_status = @status, last_error = @error, next_attempt_at = @next, lease_until = null, lease_holder = null", ct,
            ("status", (object?)status ?? DBNull.Value), ("error", error), ("next", nextAttempt));

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

    /// <summary>Sets <paramref name="assignments"/> on the lease's row while the lease is still its holder's; false (and nothing set) once it is not.</summary>
    private async Task<bool> UpdateHeldAsync(Lease lease, string assignments, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = db.CreateCommand($"update {Table} set {assignments} where id = @id and lease_holder = @holder");
        command.Parameters.AddWithValue("id", lease.Id);
        command.Parameters.AddWithValue("holder", lease.Holder);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(ct) == 1;
    }
}
