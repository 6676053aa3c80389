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

public sealed record TimelineEntry(
    long Version,
    long Position,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? OccurredOn,
    string RecordedAt,
    string RecordedBy,
    string Summary,
    bool Retracted,
    string? RetractedBy,
    string? RetractionReason,
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

    /// <summary>The day an entry sorts on: its occurredOn, or for a retraction the UTC day it was recorded.</summary>
    private const string Day = "coalesce(data ->> 'occurredOn', to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD'))";

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
        await using var connection = await db.OpenConnectionAsync(ct);
        var known = new KnownFilter(id, at, schema);

        // What was known at the point: the newest version and the proposal's effective date.
        await using (var extent = known.Command(connection,
            "select max(version), min(data ->> 'occurredOn') filter (where version = 1) from {0}.mt_events where {1}"))
        {
            await using var reader = await extent.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var newest = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
            var proposedOn = reader.IsDBNull(1) ? null : reader.GetString(1);
            if (newest == 0 || proposedOn is null || (at.Version is { } wanted && newest < wanted)
                || (at.EffectiveOn is { } day && string.CompareOrdinal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), proposedOn) < 0))
            {
                return Problems.Result(at.IsNow ? Problems.AgreementNotFound(id) : Problems.AgreementNotFoundAt(id));
            }

            http.Response.Headers.ETag = IfMatch.ETag(newest);
        }

        var retractions = new Dictionary<long, (string By, string Reason)>();
        await using (var marks = known.Command(connection,
            $"select (data ->> 'version')::bigint, user_name, data ->> 'reason' from {{0}}.mt_events where {{1}} and type = '{EventTypeNames.EventRetracted}'"))
        {
            await using var reader = await marks.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                retractions[reader.GetInt64(0)] = (reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetString(2));
            }
        }

        var entries = new List<TimelineEntry>();
        var inEffect = at.EffectiveOn is { } effective ? $" and {Day} <= '{effective:yyyy-MM-dd}'" : "";
        await using (var query = known.Command(connection,
            $"select version, seq_id, type, data, timestamp, user_name, headers ->> 'hash', headers ->> 'previousHash', data ->> 'occurredOn' " +
            $"from {{0}}.mt_events where {{1}}{inEffect} and ({Day}, version) > (@afterDay, @afterVersion) order by {Day}, version limit @take"))
        {
            query.Parameters.AddWithValue("afterDay", after?.Day ?? "");
            query.Parameters.AddWithValue("afterVersion", after?.Version ?? 0L);
            query.Parameters.AddWithValue("take", take + 1);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var type = reader.GetString(2);
                var entryVersion = reader.GetInt64(0);
                var recordedAt = reader.GetFieldValue<DateTimeOffset>(4);
                using var data = JsonDocument.Parse(reader.GetString(3));
                var occurred = reader.IsDBNull(8) ? (DateOnly?)null : DateOnly.ParseExact(reader.GetString(8), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                var retraction = retractions.TryGetValue(entryVersion, out var mark) ? mark : ((string By, string Reason)?)null;
                entries.Add(new TimelineEntry(
                    entryVersion,
                    reader.GetInt64(1),
                    type,
                    occurred,
                    EventEnvelope.FormatInstant(recordedAt),
                    reader.IsDBNull(5) ? "" : reader.GetString(5),
                    EventSummaries.Describe(type, data.RootElement),
                    retraction is not null,
                    retraction?.By,
                    retraction?.Reason,
                    reader.IsDBNull(6) ? "" : reader.GetString(6),
                    reader.IsDBNull(7) ? "" : reader.GetString(7),
                    data.RootElement.Clone())
                {
                    SortDay = occurred ?? DateOnly.FromDateTime(recordedAt.UtcDateTime),
                });
            }
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

    /// <summary>The events of one agreement known at a point in time, as a SQL condition with its parameters.</summary>
    private sealed record KnownFilter(string Id, PointInTime At, LedgerSchema Schema)
    {
        public NpgsqlCommand Command(NpgsqlConnection connection, string template)
        {
            var condition = "stream_id = @id"
                + (At.AsOf is null ? "" : " and timestamp <= @asOf")
                + (At.Version is null ? "" : " and version <= @version");
            var command = new NpgsqlCommand(string.Format(CultureInfo.InvariantCulture, template, Schema.Events, condition), connection);
            command.Parameters.AddWithValue("id", Id);
            if (At.AsOf is { } asOf)
            {
                command.Parameters.AddWithValue("asOf", asOf);
            }

            if (At.Version is { } version)
            {
                command.Parameters.AddWithValue("version", version);
            }

            return command;
        }
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
