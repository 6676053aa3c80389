using System.Data;
using System.Globalization;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Ledger.Signing;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Audit.Transparency;

/// <summary>A tree size with its root and the position of its last leaf, and how many stored nodes that took.</summary>
public sealed record TreeRoot(long TreeSize, byte[] RootHash, long Position, int NodesRead);

/// <summary>
/// Signs and keeps checkpoints of the stored tree (<c>ledger.audit_checkpoints</c>), one per published size. Like
/// the kept digests, a kept checkpoint is served only while it is what it claims (its root that of the stored tree
/// at its size, its signature one of the service's keys); else the answer is signed now and the kept record stays
/// for <c>/audit/verify</c> to report.
/// </summary>
public sealed class CheckpointLog(
    NpgsqlDataSource db, LedgerSchema schema, MerkleStore tree, AuditSigningKey key, LogOrigin origin, KeptCosignatures cosignatures, KeptCheckpointSignatures signatures, TimeProvider clock)
{
    public const string TableName = "audit_checkpoints";

    private string Kept => $"{schema.Events}.{TableName}";

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        // One tree per log: a new log (a new key, or a new Ledger:Audit:LogOrigin) starts its sizes afresh beside the old one's.
        table.AddColumn<string>("origin").AsPrimaryKey();
        table.AddColumn<long>("tree_size").AsPrimaryKey();
        table.AddColumn<string>("root_hash").NotNull();
        table.AddColumn<long>("position").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn<string>("signature").NotNull();
        table.AddColumn("signed_at", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>The stored tree's size now.</summary>
    public async Task<long> TreeSizeAsync(CancellationToken ct) => (await tree.HeadAsync(null, null, ct)).Size;

    /// <summary>The root of the stored tree at <paramref name="treeSize"/> (at most its size) and its last position: O(log n) nodes, one query.</summary>
    public async Task<TreeRoot> RootAsync(long treeSize, CancellationToken ct)
    {
        var root = MerkleTree.Root(treeSize);
        var read = await tree.ReadAsync([root], treeSize > 0 ? [treeSize - 1] : [], null, null, ct);
        return new TreeRoot(treeSize, read.Hash(root), treeSize > 0 ? read.PositionOf(treeSize - 1) : 0, read.Count);
    }

    /// <summary>
    /// The newest published checkpoint; the first one is published now when none is yet. A new one is kept at most
    /// once an interval, so the root and cosignatures of the newest size this log served last are read beside the
    /// newest row, not after it, and read again only when a newer one was kept meanwhile: one round trip, not two.
    /// </summary>
    public async Task<Checkpoint> NewestAsync(CancellationToken ct)
    {
        var newestRead = KeptAsync(null, ct);
        var seen = Interlocked.Read(ref _newestServed);
        var ahead = seen >= 0 ? Reads(seen, ct) : default;
        try
        {
            var newest = await newestRead;
            if (newest is null)
            {
                return await PublishAsync(ct);
            }

            var served = (await ServeAsync(newest.TreeSize, newestRead, null, seen >= 0 && newest.TreeSize == seen ? ahead : Reads(newest.TreeSize, ct), ct))!;
            Interlocked.Exchange(ref _newestServed, newest.TreeSize);
            return served;
        }
        finally
        {
            await Task.WhenAll(ahead.Root ?? Task.CompletedTask, ahead.Cosignatures ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// The size of the newest checkpoint <see cref="NewestAsync"/> served last, -1 before the first: 0 is a size (the
    /// empty tree's checkpoint is kept when it is published before the first event).
    /// </summary>
    private long _newestServed = -1;

    /// <summary>The stored tree's root and the kept cosignatures of <paramref name="treeSize"/>, read together.</summary>
    private (Task<TreeRoot> Root, Task<IReadOnlyList<Cosignature>> Cosignatures) Reads(long treeSize, CancellationToken ct) =>
        (RootAsync(treeSize, ct), cosignatures.OfAsync(origin.Name, treeSize, ct));

    /// <summary>The kept checkpoint of <paramref name="treeSize"/> (at most the tree's size), else one signed now (not kept).</summary>
    public async Task<Checkpoint> AtSizeAsync(long treeSize, CancellationToken ct) => (await ServeAsync(treeSize, KeptAsync(treeSize, ct), null, Reads(treeSize, ct), ct))!;

    /// <summary>
    /// As <see cref="AtSizeAsync"/>, or null, signing nothing, when the stored tree holds fewer than
    /// <paramref name="treeSize"/> leaves; its size (<see cref="TreeSizeAsync"/>, <paramref name="treeSizeRead"/>) is
    /// read beside the checkpoint, not before it.
    /// </summary>
    public Task<Checkpoint?> AtSizeWithinAsync(long treeSize, Task<long> treeSizeRead, CancellationToken ct) =>
        ServeAsync(treeSize, KeptAsync(treeSize, ct), treeSizeRead, Reads(treeSize, ct), ct);

    /// <summary>
    /// The <paramref name="kept"/> checkpoint of <paramref name="treeSize"/> while it is what it claims, else one signed
    /// now; <paramref name="reads"/> are that size's (<see cref="Reads"/>). The tree's root, the kept row and its cosignatures are read together, each on its own connection: a
    /// checkpoint costs about one round trip to the database, not three in turn (docs/benchmarks.md).
    /// </summary>
    private async Task<Checkpoint?> ServeAsync(
        long treeSize, Task<Checkpoint?> kept, Task<long>? within, (Task<TreeRoot> Root, Task<IReadOnlyList<Cosignature>> Cosignatures) reads, CancellationToken ct)
    {
        var (rootRead, cosignaturesRead) = reads;
        try
        {
            if (within is not null && await within < treeSize)
            {
                return null;
            }

            var root = await rootRead;
            var found = await kept;
            return found is not null && found.RootHash == Hex(root.RootHash) && found.Origin == origin.Name && Check(found) == SignatureCheck.Valid
                ? found with { Cosignatures = await cosignaturesRead }
                : Sign(root);
        }
        finally
        {
            // None left running or unobserved when one failed, or when the cosignatures are not needed.
            await Task.WhenAll(rootRead, kept, cosignaturesRead, within ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Signs and keeps a checkpoint of the stored tree as it is now, unless its size is kept already.</summary>
    public async Task<Checkpoint> PublishAsync(CancellationToken ct) => await PublishAsync(await SignNowAsync(ct), [], ct);

    /// <summary>A checkpoint of the stored tree as it is now, signed but not yet kept (the witnesses see it first).</summary>
    public async Task<Checkpoint> SignNowAsync(CancellationToken ct) => Sign(await RootAsync(await TreeSizeAsync(ct), ct));

    /// <summary>
    /// Keeps <paramref name="signed"/> as the newest checkpoint with the witnesses' <paramref name="cosigned"/> (that
    /// verified), unless its size is kept already: then the kept one is answered (the cosignatures are kept either way).
    /// </summary>
    public async Task<Checkpoint> PublishAsync(Checkpoint signed, IReadOnlyList<Cosignature> cosigned, CancellationToken ct)
    {
        await using var keep = db.CreateCommand(
            $"insert into {Kept} (tree_size, root_hash, position, origin, key_id, signature, signed_at) values ($1, $2, $3, $4, $5, $6, $7) on conflict (origin, tree_size) do nothing");
        keep.Parameters.Add(new NpgsqlParameter<long> { TypedValue = signed.TreeSize });
        keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signed.RootHash });
        keep.Parameters.Add(new NpgsqlParameter<long> { TypedValue = signed.Position });
        keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signed.Origin });
        keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signed.KeyId });
        keep.Parameters.Add(new NpgsqlParameter<string> { TypedValue = signed.Signature });
        keep.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.Parse(signed.Timestamp, CultureInfo.InvariantCulture) });
        var kept = await keep.ExecuteNonQueryAsync(ct) == 1;
        await cosignatures.KeepAsync(signed.Origin, signed.TreeSize, cosigned, ct);
        return kept ? signed with { Cosignatures = cosigned } : await AtSizeAsync(signed.TreeSize, ct);
    }

    /// <summary>The size of this log's newest kept checkpoint, or null before the first.</summary>
    public async Task<long?> NewestKeptSizeAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select max(tree_size) from {Kept} where origin = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin.Name });
        return await command.ExecuteScalarAsync(ct) is long size ? size : null;
    }

    /// <summary>The newest kept checkpoint as kept (not checked against the stored tree), or null before the first.</summary>
    public Task<Checkpoint?> NewestKeptAsync(CancellationToken ct) => KeptAsync(null, ct);

    /// <summary>Every kept checkpoint of this log, smallest first, streamed (one is kept every interval while the ledger grows).</summary>
    public async IAsyncEnumerable<Checkpoint> KeptAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"{Select} where origin = $1 order by tree_size", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin.Name });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            yield return Read(reader);
        }
    }

    /// <summary>Whether a checkpoint's signature is one of the service's keys over its body (<see cref="KeptCheckpointSignatures"/>).</summary>
    public SignatureCheck Check(Checkpoint checkpoint) => signatures.Check(checkpoint);

    private Checkpoint Sign(TreeRoot root)
    {
        var body = CheckpointMessages.Body(origin.Name, root.TreeSize, root.RootHash);
        var now = DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds());
        return new Checkpoint(origin.Name, root.TreeSize, Hex(root.RootHash), root.Position, Timestamp(now), key.KeyId, key.Sign(body), []);
    }

    /// <summary>The kept checkpoint of <paramref name="treeSize"/>, or the newest kept one when null.</summary>
    private async Task<Checkpoint?> KeptAsync(long? treeSize, CancellationToken ct)
    {
        await using var command = db.CreateCommand(treeSize is null
            ? $"{Select} where origin = $1 order by tree_size desc limit 1"
            : $"{Select} where origin = $1 and tree_size = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin.Name });
        if (treeSize is { } size)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = size });
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private string Select => $"select tree_size, root_hash, position, origin, key_id, signature, signed_at from {Kept}";

    /// <summary>One kept row, its columns read in order (the stream of them is read with sequential access).</summary>
    private static Checkpoint Read(NpgsqlDataReader reader)
    {
        var (treeSize, rootHash, position) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));
        var (logOrigin, keyId, signature) = (reader.GetString(3), reader.GetString(4), reader.GetString(5));
        return new Checkpoint(logOrigin, treeSize, rootHash, position, Timestamp(reader.GetFieldValue<DateTimeOffset>(6)), keyId, signature, []);
    }

    /// <summary>RFC 3339 UTC to the second, as the contract's JSON gives every checkpoint and cosignature time.</summary>
    public static string Timestamp(DateTimeOffset at) => CheckpointMessages.Timestamp(at);

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
