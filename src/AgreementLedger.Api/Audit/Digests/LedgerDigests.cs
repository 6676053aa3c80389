using System.Data;
using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Audit.Digests;

/// <summary>A signed statement of the whole ledger up to a global position.</summary>
public sealed record SignedDigest(long Position, string Digest, string Signature, string KeyId);

/// <summary>
/// One hash over the whole ledger up to a global position: a chain in position order,
/// digest(p) = SHA-256(digest(previous event) ‖ hash(event at p)), from 64 zeros (docs/hashing.md).
/// Every digest handed out is kept, and kept digests are re-checked by verification, so cutting
/// the newest events, or rewriting a whole chain, shows.
/// </summary>
public sealed class LedgerDigests(NpgsqlDataSource db, LedgerSchema schema, SafePosition safe, StoredEventReader stored, AuditSigningKey key, TimeProvider clock)
{
    public const string TableName = "audit_digests";

    private string Kept => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("position").AsPrimaryKey();
        table.AddColumn<string>("digest").NotNull();
        table.AddColumn<string>("signature").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn("taken_at", "timestamp with time zone").NotNull();
        return table;
    }

    public static string Step(string previous, string eventHash)
    {
        // On the stack for hashes of the usual length: a whole-ledger verify takes a million steps per million events.
        var length = Encoding.UTF8.GetByteCount(previous) + Encoding.UTF8.GetByteCount(eventHash);
        Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(previous, input);
        Encoding.UTF8.GetBytes(eventHash, input[written..]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(input, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>The newest safe position (<see cref="Ledger.SafePosition.FindAsync"/>): the position a digest may be taken at.</summary>
    public Task<long> SafePositionAsync(CancellationToken ct) => safe.FindAsync(ct);

    /// <summary>The digest of the stored events up to <paramref name="position"/>, recomputed in one streaming pass.</summary>
    public async Task<string> ComputeAsync(long position, CancellationToken ct)
    {
        var digest = EventHash.Genesis;
        await foreach (var (_, hash) in HashesAsync(position, ct))
        {
            digest = Step(digest, hash);
        }

        return digest;
    }

    /// <summary>Event hashes in position order, up to a position.</summary>
    public async IAsyncEnumerable<(long Position, string Hash)> HashesAsync(long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in stored.ReadAsync(new EventQuery { UpToPosition = upTo, WithData = false }, ct))
        {
            yield return (row.Position, row.Hash ?? "");
        }
    }

    /// <summary>
    /// The signed digest at a position, kept the first time it is taken. While the stored events
    /// still hash to the kept digest, the kept record (and its signature) is the answer, so a
    /// position always answers the same; if they no longer do, history was altered: the
    /// recomputed digest is answered, and the kept one stays as evidence for verification.
    /// </summary>
    public async Task<SignedDigest> TakeAsync(long position, CancellationToken ct) =>
        await KeepAsync(position, await ComputeAsync(position, ct), ct);

    /// <summary>As <see cref="TakeAsync"/>, for a digest the caller has just computed over the stored events.</summary>
    public async Task<SignedDigest> KeepAsync(long position, string digest, CancellationToken ct)
    {
        await using (var read = db.CreateCommand($"select digest, signature, key_id from {Kept} where position = @position"))
        {
            read.Parameters.AddWithValue("position", position);
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                // A kept record is served only when it is what it claims: its digest that of the
                // stored events and its signature one of the service's keys (anyone who can write the
                // table can write a key id and a signature into it). Otherwise the answer is signed
                // now; the forged record stays for /audit/verify to report.
                var kept = new SignedDigest(position, reader.GetString(0), reader.GetString(1), reader.GetString(2));
                return kept.Digest == digest && AuditSigningKey.Check(key.VerifyingKeys, kept) == SignatureCheck.Valid
                    ? kept
                    : new SignedDigest(position, digest, key.Sign(position, digest), key.KeyId);
            }
        }

        var signed = new SignedDigest(position, digest, key.Sign(position, digest), key.KeyId);
        await using var keep = db.CreateCommand(
            $"insert into {Kept} (position, digest, signature, key_id, taken_at) values (@position, @digest, @signature, @keyId, @takenAt) on conflict (position) do nothing");
        keep.Parameters.AddWithValue("position", signed.Position);
        keep.Parameters.AddWithValue("digest", signed.Digest);
        keep.Parameters.AddWithValue("signature", signed.Signature);
        keep.Parameters.AddWithValue("keyId", signed.KeyId);
        keep.Parameters.AddWithValue("takenAt", clock.GetUtcNow());
        return await keep.ExecuteNonQueryAsync(ct) == 1 ? signed : await KeepAsync(position, digest, ct);
    }

    /// <summary>
    /// The kept digests at positions up to <paramref name="upTo"/>, in position order, streamed as they
    /// are read: one is kept every interval for as long as the ledger grows, so there are many.
    /// </summary>
    public async IAsyncEnumerable<SignedDigest> KeptAsync(long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"select position, digest, signature, key_id from {Kept} where position <= @upTo order by position", connection);
        command.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new SignedDigest(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }

    public async Task<long> NewestKeptPositionAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select coalesce(max(position), 0) from {Kept}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
