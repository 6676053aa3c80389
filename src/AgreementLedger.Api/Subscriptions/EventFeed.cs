using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Npgsql;

namespace AgreementLedger.Subscriptions;

/// <summary>
/// One ledger event as consumers see it: in <c>GET /events</c>, on <c>/events/stream</c>, in webhook
/// bodies and as the integration message (Wolverine message type <c>agreement-ledger.event</c>).
/// </summary>
[Wolverine.Attributes.MessageIdentity("agreement-ledger.event")]
public sealed record FeedEvent(
    long Position,
    long LeafIndex,
    string AgreementId,
    long Version,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? OccurredOn,
    string RecordedAt,
    string RecordedBy,
    RawJson Data,
    string Hash);

/// <summary>
/// JSON read from jsonb as UTF-8 bytes and written through as it is: valid by construction, never
/// re-parsed or transcoded.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(byte[] Utf8)
{
    public string Json => System.Text.Encoding.UTF8.GetString(Utf8);
}

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement));
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}

public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, long Next);

/// <summary>
/// The ledger-wide order of events, served only up to the head of the ledger's Merkle tree — which the tree's
/// extender only moves up to the newest safe position, below which no transaction can still commit — so a consumer
/// that follows <c>next</c> sees every committed event once, in order, whatever the write load, and every event it
/// sees is in the tree, with its <c>leafIndex</c>. Gaps (rolled-back positions) are passed over, never skipped by force.
/// With the tree switched off (benchmarks only, <see cref="MerkleExtender.Enabled"/>) it serves up to the safe position.
/// </summary>
public sealed class EventFeed(StoredEventReader reader, SafePosition safe, MerkleExtender extender, EventCatalogue catalogue)
{
    /// <summary>The newest tree head position seen: the tree only grows, so positions up to it stay servable.</summary>
    private long _knownHead;

    /// <summary>The newest safe position found so far, without waiting for anything.</summary>
    public long LastKnownSafePosition => safe.LastKnown;

    /// <summary>The newest safe position, shared by concurrent readers (<see cref="SafePosition.CurrentAsync"/>).</summary>
    public Task<long> SafePositionAsync(CancellationToken ct) => safe.CurrentAsync(ct);

    /// <summary>How long a reader at the head waits for another node's extension of the tree before answering without it.</summary>
    public static readonly TimeSpan TreeWait = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The feed's upper bound: the position of the tree's last leaf, once the tree was extended (here, if no other
    /// extender is at it) up to the newest safe position — so the feed is as current as the safe position, as before
    /// the tree, and appends still never wait for it.
    /// </summary>
    public async Task<long> TreeHeadPositionAsync(CancellationToken ct)
    {
        var position = await extender.HelpAtHeadAsync(TreeWait, ct);
        long seen;
        while (position > (seen = Volatile.Read(ref _knownHead)) && Interlocked.CompareExchange(ref _knownHead, position, seen) != seen)
        {
        }

        return Math.Max(position, Volatile.Read(ref _knownHead));
    }

    public async Task<FeedPage> ReadAsync(long after, int limit, IReadOnlySet<string>? types, CancellationToken ct)
    {
        // A consumer catching up far behind the tree's head needs no new look at it: what is in the tree stays
        // there. Only at the head is it worth reading the head again.
        var known = Volatile.Read(ref _knownHead);
        var upTo = after + limit <= known ? known : await TreeHeadPositionAsync(ct);
        if (after >= upTo)
        {
            return new FeedPage([], after);
        }

        var events = await ReadAsync(reader, new EventQuery { AfterPosition = after, UpToPosition = upTo, Types = types, Limit = limit }, extender.Enabled, ct);

        // A full page stops at its last event; a short one has seen everything up to the tree's head.
        var next = events.Count == limit ? events[^1].Position : upTo;
        return new FeedPage(events, next);
    }

    /// <summary>
    /// The events at these positions, in order, as the feed serves them, once all are in the tree (it waits for the
    /// tree's extender, which follows the same safe position). The caller vouches that the positions are safe (the
    /// async daemon only hands out pages below its high-water mark).
    /// </summary>
    public static async Task<IReadOnlyList<FeedEvent>> ReadPositionsAsync(
        NpgsqlDataSource db, LedgerSchema schema, MerkleExtender tree, long[] positions, CancellationToken ct)
    {
        await tree.WaitForAsync(positions.Length == 0 ? 0 : positions.Max(), ct);
        return await ReadAsync(new StoredEventReader(db, schema), new EventQuery { Positions = positions }, tree.Enabled, ct);
    }

    /// <summary>
    /// Stored rows as the feed serves them: the data's bytes passed through as they were read, never parsed, with the
    /// leaf index looked up by position (every row is at or below the tree's head, so each has one) — unless the tree is
    /// switched off (benchmarks only): then no lookup, and <see cref="MerkleExtender.NoLeaf"/>.
    /// </summary>
    private static async Task<List<FeedEvent>> ReadAsync(StoredEventReader reader, EventQuery query, bool withLeaf, CancellationToken ct)
    {
        var events = new List<FeedEvent>();
        await foreach (var row in reader.ReadAsync(query with { WithLeafIndex = withLeaf }, ct))
        {
            events.Add(new FeedEvent(
                row.Position, withLeaf ? row.LeafIndex ?? throw new MerkleTreeDamagedException($"the event at position {row.Position} has no leaf") : MerkleExtender.NoLeaf,
                row.AgreementId, row.Version, row.Type, row.OccurredOn,
                EventEnvelope.FormatInstant(row.RecordedAt), row.RecordedBy, new RawJson(row.Data), row.Hash ?? ""));
        }

        return events;
    }

    /// <summary>Parses <c>types=a,b</c>; field errors go to <paramref name="checks"/>.</summary>
    public IReadOnlySet<string>? ParseTypes(string? types, Checks checks)
    {
        if (string.IsNullOrWhiteSpace(types))
        {
            return null;
        }

        var wanted = types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var unknown in wanted.Where(t => !catalogue.IsKnown(t)))
        {
            checks.Add("types", $"'{unknown}' is not an event type (known: {string.Join(", ", catalogue.Names)})");
        }

        return wanted;
    }
}
