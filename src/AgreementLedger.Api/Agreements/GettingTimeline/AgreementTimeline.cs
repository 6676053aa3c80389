using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgreementLedger.Infrastructure;
using Npgsql;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingTimeline;

public sealed record TimelineEntry(
    long Version,
    long Position,
    string Type,
    DateOnly? OccurredOn,
    string RecordedAt,
    string RecordedBy,
    string Summary,
    bool Retracted,
    string? RetractedBy,
    string? RetractionReason,
    string Hash,
    string PreviousHash,
    JsonElement Data);

public sealed record AgreementTimeline(string Id, IReadOnlyList<TimelineEntry> Entries, string? Next);

/// <summary>
/// The agreement's events in effective order (occurredOn, then version), read straight from the
/// event table so that <c>data</c> is exactly what was stored and hashed. Keyset-paged.
/// </summary>
public static class GetAgreementTimelineEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [WolverineGet("/agreements/{id}/timeline", OperationId = "getAgreementTimeline")]
    public static async Task<IResult> Get(string id, string? limit, string? cursor, HttpContext http, NpgsqlDataSource db, LedgerSchema schema)
    {
        var checks = new Checks();
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            checks.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

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
        await using (var exists = new NpgsqlCommand($"select version from {schema.Events}.mt_streams where id = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await exists.ExecuteScalarAsync(ct) is not long version)
            {
                return Problems.Result(Problems.AgreementNotFound(id));
            }

            http.Response.Headers.ETag = IfMatch.ETag(version);
        }

        var sql = $"""
            select version, seq_id, type, data, timestamp, user_name, headers ->> 'hash', headers ->> 'previousHash', data ->> 'occurredOn'
            from {schema.Events}.mt_events
            where stream_id = $1 and (data ->> 'occurredOn', version) > ($2, $3)
            order by data ->> 'occurredOn', version
            limit $4
            """;
        await using var query = new NpgsqlCommand(sql, connection);
        query.Parameters.Add(new NpgsqlParameter { Value = id });
        query.Parameters.Add(new NpgsqlParameter { Value = after?.OccurredOn ?? "" });
        query.Parameters.Add(new NpgsqlParameter { Value = after?.Version ?? 0L });
        query.Parameters.Add(new NpgsqlParameter { Value = take + 1 });

        var entries = new List<TimelineEntry>();
        await using (var reader = await query.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var type = reader.GetString(2);
                using var data = JsonDocument.Parse(reader.GetString(3));
                var occurred = reader.IsDBNull(8) ? (DateOnly?)null : DateOnly.ParseExact(reader.GetString(8), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                entries.Add(new TimelineEntry(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    type,
                    occurred,
                    EventEnvelope.FormatInstant(reader.GetFieldValue<DateTimeOffset>(4)),
                    reader.IsDBNull(5) ? "" : reader.GetString(5),
                    EventSummaries.Describe(type, data.RootElement),
                    false,
                    null,
                    null,
                    reader.IsDBNull(6) ? "" : reader.GetString(6),
                    reader.IsDBNull(7) ? "" : reader.GetString(7),
                    data.RootElement.Clone()));
            }
        }

        string? next = null;
        if (entries.Count > take)
        {
            entries.RemoveAt(entries.Count - 1);
            var last = entries[^1];
            next = new Cursor(last.OccurredOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", last.Version).Format();
        }

        return TypedResults.Ok(new AgreementTimeline(id, entries, next));
    }

    /// <summary>An opaque keyset position: the last entry's occurredOn and version.</summary>
    private sealed record Cursor(string OccurredOn, long Version)
    {
        public string Format() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"t1|{OccurredOn}|{Version.ToString(CultureInfo.InvariantCulture)}"));

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
