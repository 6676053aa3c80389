using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Npgsql;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingTimeline;

/// <summary>One timeline entry; <see cref="LeafIndex"/> is the event's leaf in the ledger's Merkle tree, null (and
/// present as null) while the tree has not yet taken the event — a timeline never waits for the tree.</summary>
public sealed record TimelineEntry(
    long Version,
    long Position,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? LeafIndex,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? OccurredOn,
    string RecordedAt,
    string RecordedBy,
    string Summary,
    bool Retracted,
    string? RetractedBy,
    string? RetractionReason,
    long? CorrectedBy,
    string Hash,
    string PreviousHash,
    JsonElement Data)
{
    /// <summary>The day the entry sorts on (occurredOn, or a retraction's recording day); not serialised.</summary>
    [JsonIgnore]
    public DateOnly SortDay { get; init; }
}

public sealed record AgreementTimeline(string Id, IReadOnlyList<TimelineEntry> Entries, string? Next);

/// <summary>
/// The agreement's events in effective order (occurredOn, then version; a retraction, which has no
/// occurredOn, on the UTC day it was recorded), read straight from the event table so that
/// <c>data</c> is exactly what was stored and hashed. Keyset-paged; time travel as on the details.
/// </summary>
public static class GetAgreementTimelineEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [WolverineGet("/agreements/{id}/timeline", OperationId = "getAgreementTimeline")]
    [EndpointSummary("An agreement's events in effective order, page by page")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<AgreementTimeline>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(
        string id, string? asOf, string? version, string? effectiveOn, string? limit, string? cursor,
        HttpContext http, NpgsqlDataSource db, LedgerSchema schema)
    {
        var checks = new Checks();
        var at = PointInTime.Parse(asOf, version, effectiveOn, checks);
        var take = checks.Limit(limit, DefaultLimit, MaxLimit);

        var after = cursor is null ? null : Cursor.Parse(cursor);
        if (cursor is not null && after is null)
        {
            checks.Add("cursor", "is not a cursor this service issued");
        }

        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var ct = http.RequestAborted;
        var events = new StoredEventReader(db, schema);
        var known = new EventQuery { AgreementId = id, AsOf = at.AsOf, UpToVersion = at.Version };

        // What was known at the point: the newest version and the proposal's effective date.
        var (newest, proposedOn) = await events.ExtentAsync(known, ct);
        if (newest == 0 || proposedOn is null || (at.Version is { } wanted && newest < wanted)
            || (at.EffectiveOn is { } day && string.CompareOrdinal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), proposedOn) < 0))
        {
            return Problems.Result(at.IsNow ? Problems.AgreementNotFound(id) : Problems.AgreementNotFoundAt(id));
        }

        http.Response.Headers.ETag = IfMatch.ETag(newest);

        var retractions = new Dictionary<long, (string By, string Reason, long Version)>();
        await foreach (var mark in events.ReadAsync(known with { Types = [EventTypeNames.EventRetracted] }, ct))
        {
            using var retraction = JsonDocument.Parse(mark.Data);
            retractions[retraction.RootElement.GetProperty("version").GetInt64()] = (mark.RecordedBy, retraction.RootElement.GetProperty("reason").GetString()!, mark.Version);
        }

        // A correction appends its replacement right after its retraction, with data.corrects naming the event.
        var correctedBy = new Dictionary<long, long>();
        var candidates = retractions.Values.Select(r => r.Version + 1).ToArray();
        if (candidates.Length > 0)
        {
            await foreach (var replacement in events.ReadAsync(known with { Versions = candidates }, ct))
            {
                using var data = JsonDocument.Parse(replacement.Data);
                if (data.RootElement.TryGetProperty("corrects", out var corrects) && corrects.TryGetInt64(out var corrected))
                {
                    correctedBy[corrected] = replacement.Version;
                }
            }
        }

        var entries = new List<TimelineEntry>();
        var page = known with
        {
            EffectiveOn = at.EffectiveOn,
            AfterEffective = (after?.Day ?? "", after?.Version ?? 0L),
            Order = EventOrder.ByEffectiveDay,
            Limit = take + 1,
            WithLeafIndex = true,
        };
        await foreach (var row in events.ReadAsync(page, ct))
        {
            using var data = JsonDocument.Parse(row.Data);
            var retraction = retractions.TryGetValue(row.Version, out var mark) ? mark : ((string By, string Reason, long Version)?)null;
            entries.Add(new TimelineEntry(
                row.Version,
                row.Position,
                row.LeafIndex,
                row.Type,
                row.OccurredOn,
                EventEnvelope.FormatInstant(row.RecordedAt),
                row.RecordedBy,
                EventSummaries.Describe(row.Type, data.RootElement),
                retraction is not null,
                retraction?.By,
                retraction?.Reason,
                correctedBy.TryGetValue(row.Version, out var by) ? by : null,
                row.Hash ?? "",
                row.PreviousHash ?? "",
                data.RootElement.Clone())
            {
                SortDay = EventEnvelope.EffectiveDay(row.OccurredOn, row.RecordedAt),
            });
        }

        string? next = null;
        if (entries.Count > take)
        {
            entries.RemoveAt(entries.Count - 1);
            var last = entries[^1];
            next = new Cursor(last.SortDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), last.Version).Format();
        }

        return TypedResults.Ok(new AgreementTimeline(id, entries, next));
    }

    /// <summary>An opaque keyset position: the last entry's occurredOn and version.</summary>
    private sealed record Cursor(string Day, long Version)
    {
        public string Format() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"t1|{Day}|{Version.ToString(CultureInfo.InvariantCulture)}"));

        public static Cursor? Parse(string text)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('|');
                return parts.Length == 3 && parts[0] == "t1"
                    && (parts[1].Length == 0 || DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                    ? new Cursor(parts[1], version)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
