using System.Globalization;
using System.Text.Json;
using JasperFx.Events;

namespace AgreementLedger.Ledger;

/// <summary>
/// What is stored around every event (docs/api.md "Audit"): recordedAt in mt_events.timestamp (set by the
/// service, monotonic per agreement), recordedBy in mt_events.user_name, and the hash chain in the
/// event headers. Decided once; docs/hashing.md describes it for auditors.
/// </summary>
public static class EventEnvelope
{
    public const string HashHeader = "hash";
    public const string PreviousHashHeader = "previousHash";
    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>
    /// An instant as <see cref="InstantFormat"/> writes it, through the runtime's fast round-trip format ("O"), which
    /// writes the same text with a seventh digit of the second's fraction that "ffffff" truncates away: this is on every
    /// append and, for every event, in a whole-ledger verify.
    /// </summary>
    public static string FormatInstant(DateTimeOffset instant) =>
        string.Create(27, instant.UtcDateTime, static (text, utc) =>
        {
            Span<char> roundTrip = stackalloc char[28];
            utc.TryFormat(roundTrip, out _, "O", CultureInfo.InvariantCulture);
            roundTrip[..26].CopyTo(text);
            text[26] = 'Z';
        });

    /// <summary>
    /// The occurredOn a stored event is hashed with (docs/hashing.md): its data's <c>occurredOn</c>,
    /// and null for a retraction, which takes effect in recorded time. One rule for every reader.
    /// </summary>
    public static DateOnly? OccurredOnOf(string type, JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("occurredOn", out var value) && value.ValueKind == JsonValueKind.String
            ? OccurredOnOf(type, value.GetString())
            : null;

    /// <summary>
    /// The same rule over the text of the data's <c>occurredOn</c> as <see cref="OccurredOnSql"/> reads
    /// it, so a reader needs no parse of the data: a non-string value's text is never a yyyy-MM-dd day.
    /// </summary>
    public static DateOnly? OccurredOnOf(string type, string? occurredOn) =>
        !EventCatalogue.IsRetraction(type) && occurredOn is not null
        && DateOnly.TryParseExact(occurredOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;

    /// <summary>The data's <c>occurredOn</c> as text, in SQL over the event table aliased <paramref name="alias"/>.</summary>
    public static string OccurredOnSql(string alias) => $"{alias}.data ->> 'occurredOn'";

    /// <summary>
    /// The day an event sorts on in effective order: its occurredOn, or for a retraction (which has
    /// none) the UTC day it was recorded. <see cref="EffectiveDaySql"/> is the same rule in SQL.
    /// </summary>
    public static DateOnly EffectiveDay(DateOnly? occurredOn, DateTimeOffset recordedAt) =>
        occurredOn ?? DateOnly.FromDateTime(recordedAt.UtcDateTime);

    /// <summary><see cref="EffectiveDay"/> in SQL, as yyyy-MM-dd text, over the event table aliased <paramref name="alias"/>.</summary>
    public static string EffectiveDaySql(string alias) =>
        $"coalesce({OccurredOnSql(alias)}, to_char({alias}.timestamp at time zone 'UTC', 'YYYY-MM-DD'))";

    /// <summary>PostgreSQL keeps microseconds: truncate so that what is hashed is what is stored.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
    }

    /// <summary>The service's clock, never earlier than the previous event on the same agreement.</summary>
    public static DateTimeOffset NextRecordedAt(DateTimeOffset now, DateTimeOffset previous)
    {
        var stamped = ToStoredPrecision(now);
        return stamped < previous ? previous : stamped;
    }

    /// <summary>
    /// Wraps an event of stored type <paramref name="type"/> with its full envelope, hashed over
    /// <paramref name="storedJson"/>: the JSON the store's serializer wrote for it, which is what Marten
    /// stores. Its occurredOn is read from that JSON by the rule every reader uses (<see cref="OccurredOnOf(string, JsonElement)"/>),
    /// so what is hashed now is what a verifier recomputes later.
    /// </summary>
    public static IEvent Stamp(
        object data,
        string type,
        string agreementId,
        long version,
        DateTimeOffset recordedAt,
        string recordedBy,
        string previousHash,
        string storedJson)
    {
        using var stored = JsonDocument.Parse(storedJson);
        var hash = EventHash.Compute(previousHash, new HashedEvent(
            type, agreementId, version, OccurredOnOf(type, stored.RootElement), FormatInstant(recordedAt), recordedBy, stored.RootElement));

        // Event<T> takes its event type from T, so it is built for the runtime type, not the interface.
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.EventTypeName = type;
        e.Timestamp = recordedAt;
        e.UserName = recordedBy;
        e.SetHeader(PreviousHashHeader, previousHash);
        e.SetHeader(HashHeader, hash);
        return e;
    }
}
