using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure;
using AgreementLedger.Progress;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Npgsql;
using Wolverine.Http;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// <c>GET /audit/export?format=ndjson|csv[&amp;asOf=]</c>: every event up to a safe position, in
/// position order, streamed as it is read (memory does not grow with the ledger), then every kept
/// digest up to that position, then one signed digest record over exactly those events, then the checkpoint over
/// them (and, when no witness cosigned that size, the newest cosigned checkpoint with a consistency proof to it).
/// docs/audit.md describes both formats.
/// </summary>
public static class ExportLedgerEndpoint
{
    /// <summary>The <c>record</c> of an event.</summary>
    public const string EventRecord = "event";

    /// <summary>The <c>record</c> of the closing digest over exactly the exported events.</summary>
    public const string DigestRecord = "digest";

    /// <summary>The <c>record</c> of a digest kept by the service before (audit.md, "Kept digests").</summary>
    public const string KeptDigestRecord = "kept-digest";

    /// <summary>The <c>record</c> of the checkpoint over exactly the exported events, after the digest record.</summary>
    public const string CheckpointRecord = "checkpoint";

    /// <summary>The <c>record</c> of the newest cosigned checkpoint with a consistency proof from the export's, when no witness cosigned the export's size.</summary>
    public const string ConsistencyRecord = "consistency";

    public static readonly string[] CsvColumns =
        ["record", "position", "agreementId", "version", "type", "occurredOn", "recordedAt", "recordedBy", "data", "hash", "previousHash", "digest", "signature", "keyId", "leafIndex"];

    /// <summary>The columns of exports written before events carried their leaf index (still read and verified).</summary>
    public const int CsvColumnsWithoutLeafIndex = 14;

    [OpenApi.ProblemResponse(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, Problems.HistoryDiverged, Description = Transparency.HistoryDivergence.OpenApiDescription)]
    [WolverineGet("/audit/export", OperationId = "exportLedger")]
    [EndpointSummary("Every event, the kept digests and a closing signed digest, streamed as NDJSON or CSV")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType(typeof(string), StatusCodes.Status200OK, "application/x-ndjson", "text/csv")]
    public static async Task Get(string? format, string? asOf, HttpContext http, NpgsqlDataSource db, LedgerSchema schema, LedgerDigests digests)
    {
        var checks = new Checks().OneOf("format", format ?? "ndjson", new HashSet<string>(StringComparer.Ordinal) { "ndjson", "csv" });
        var knownAt = Instants.AsOf(asOf, checks);
        if (!checks.Ok)
        {
            await Problems.Result(checks.Result()).ExecuteAsync(http);
            return;
        }

        var ct = http.RequestAborted;
        var position = await ExportPositionAsync(knownAt, db, schema, http.RequestServices.GetRequiredService<MerkleExtender>(), ct);
        var csv = format == "csv";
        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"agreement-ledger-{position}.{(csv ? "csv" : "ndjson")}\"";
        await WriteAsync(http.Response.Body, csv, position, db, schema, digests, http.RequestServices.GetRequiredService<ExportCheckpoints>(), ct);
    }

    /// <summary>
    /// The last position an export covers: the head of the Merkle tree once it holds every event up to the safe position
    /// found now (so every exported event has its leaf index), or the last one known at <paramref name="asOf"/>.
    /// </summary>
    public static async Task<long> ExportPositionAsync(DateTimeOffset? asOf, NpgsqlDataSource db, LedgerSchema schema, MerkleExtender tree, CancellationToken ct)
    {
        var position = (await tree.CatchUpAsync(ct)).Position;
        return asOf is { } knownAt ? Math.Min(position, await new EventPositions(db, schema).LastKnownAtAsync(knownAt, ct)) : position;
    }

    /// <summary>
    /// Writes every event up to <paramref name="position"/> in position order as it is read, then every
    /// kept digest up to it, then the signed digest over exactly those events (kept, like the periodic
    /// digests), then their checkpoint records (<see cref="ExportCheckpoints"/>). Used by the route and by the
    /// <c>export</c> command.
    /// </summary>
    /// <remarks>
    /// The closing digest is signed over whatever is stored: after a database writer rewrote history it
    /// signs the rewrite. The kept digests were signed before; an offline verifier recomputes each from
    /// the exported events, so a rewrite below any of them shows in the export as it does in
    /// <c>/audit/verify</c>.
    /// </remarks>
    public static async Task<SignedDigest> WriteAsync(
        Stream output, bool csv, long position, NpgsqlDataSource db, LedgerSchema schema, LedgerDigests digests, ExportCheckpoints checkpoints, CancellationToken ct,
        ConsoleProgress? progress = null)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        if (csv)
        {
            await writer.WriteLineAsync(string.Join(',', CsvColumns));
        }

        var digest = EventHash.Genesis;
        long exported = 0;
        var events = new StoredEventReader(db, schema);
        var upTo = new EventQuery { UpToPosition = position, WithLeafIndex = true };
        if (progress is not null)
        {
            progress.Begin(null, await events.CountAsync(upTo, null, null, ct), "events");
        }

        // NDJSON events go out as UTF-8 from one JSON writer, a buffer of them at a time, each event's data written
        // through as PostgreSQL gave it (jsonb's own text: valid, never parsed again). Nothing is in `writer` yet.
        var pending = new ArrayBufferWriter<byte>(2 * FlushAt);
        await using var json = new Utf8JsonWriter(pending);
        await foreach (var stored in events.ReadAsync(upTo, ct))
        {
            digest = LedgerDigests.Step(digest, stored.Hash ?? "");
            exported++;
            if (csv)
            {
                await writer.WriteLineAsync(Csv(stored));
            }
            else
            {
                WriteNdjson(json, stored);
                json.Flush();
                json.Reset(pending);
                pending.Write("\n"u8);
                if (pending.WrittenCount >= FlushAt)
                {
                    await output.WriteAsync(pending.WrittenMemory, ct);
                    pending.ResetWrittenCount();
                }
            }

            progress?.Add(1);
        }

        await output.WriteAsync(pending.WrittenMemory, ct);
        progress?.End();

        // The digest was computed over exactly the rows just written: keep it rather than read them all again.
        // Kept first, so that the kept digests listed next always include the one at this position.
        var signed = await digests.KeepAsync(position, digest, ct);
        await foreach (var kept in digests.KeptAsync(position, ct))
        {
            await writer.WriteLineAsync(csv ? DigestCsv(KeptDigestRecord, kept) : DigestNdjson(KeptDigestRecord, kept));
        }

        await writer.WriteLineAsync(csv ? DigestCsv(DigestRecord, signed) : DigestNdjson(DigestRecord, signed));

        // Every exported event is a leaf (the export stops at the tree's head), so their number is the tree's size.
        var closing = await checkpoints.ForAsync(exported, ct);
        await writer.WriteLineAsync(csv ? CheckpointRecords.Csv(CheckpointRecord, closing.Checkpoint, null) : CheckpointRecords.Ndjson(CheckpointRecord, closing.Checkpoint, null));
        if (closing is { Cosigned: { } cosigned, Consistency: { } consistency })
        {
            await writer.WriteLineAsync(csv ? CheckpointRecords.Csv(ConsistencyRecord, cosigned, consistency) : CheckpointRecords.Ndjson(ConsistencyRecord, cosigned, consistency));
        }

        return signed;
    }

    /// <summary>How many bytes of NDJSON events are gathered before they are written to the response.</summary>
    private const int FlushAt = 64 * 1024;

    /// <summary>
    /// An event record of the NDJSON export (docs/audit.md): the fields in the order the format gives them, the data as
    /// stored, <c>occurredOn</c> by the kernel reader's one rule.
    /// </summary>
    internal static void WriteNdjson(Utf8JsonWriter json, StoredEventRow stored)
    {
        json.WriteStartObject();
        json.WriteString("record", EventRecord);
        json.WriteNumber("position", stored.Position);
        if (stored.LeafIndex is { } leaf)
        {
            json.WriteNumber("leafIndex", leaf);
        }

        json.WriteString("agreementId", stored.AgreementId);
        json.WriteNumber("version", stored.Version);
        json.WriteString("type", stored.Type);
        if (stored.OccurredOn is { } day)
        {
            json.WriteString("occurredOn", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("occurredOn");
        }

        json.WriteString("recordedAt", EventEnvelope.FormatInstant(stored.RecordedAt));
        json.WriteString("recordedBy", stored.RecordedBy);
        json.WritePropertyName("data");
        json.WriteRawValue(stored.Data, skipInputValidation: true);
        json.WriteString("hash", stored.Hash ?? "");
        json.WriteString("previousHash", stored.PreviousHash ?? "");
        json.WriteEndObject();
    }

    /// <summary>An event row of the CSV export (docs/audit.md), from the stored row as <see cref="WriteNdjson"/> writes it.</summary>
    private static string Csv(StoredEventRow stored) => string.Join(',',
        EventRecord, stored.Position.ToString(CultureInfo.InvariantCulture), ExportedEvent.Quote(stored.AgreementId),
        stored.Version.ToString(CultureInfo.InvariantCulture), ExportedEvent.Quote(stored.Type),
        stored.OccurredOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", ExportedEvent.Quote(EventEnvelope.FormatInstant(stored.RecordedAt)),
        ExportedEvent.Quote(stored.RecordedBy), ExportedEvent.Quote(Encoding.UTF8.GetString(stored.Data)),
        stored.Hash ?? "", stored.PreviousHash ?? "", "", "", "", stored.LeafIndex?.ToString(CultureInfo.InvariantCulture) ?? "");

    private static string DigestNdjson(string record, SignedDigest signed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("record", record);
            json.WriteNumber("position", signed.Position);
            json.WriteString("digest", signed.Digest);
            json.WriteString("signature", signed.Signature);
            json.WriteString("keyId", signed.KeyId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string DigestCsv(string record, SignedDigest signed) =>
        string.Join(',', record, signed.Position.ToString(CultureInfo.InvariantCulture), "", "", "", "", "", "", "", "", "", signed.Digest, signed.Signature, signed.KeyId, "");
}

/// <summary>
/// One exported event: the fields its hash covers, its position, its hashes and its leaf index in the ledger's Merkle
/// tree (null only in an export written before events carried it).
/// </summary>
public sealed record ExportedEvent(
    long Position, string AgreementId, long Version, string Type, string Data, string RecordedAt, string RecordedBy, string Hash, string PreviousHash,
    long? LeafIndex = null)
{
    /// <summary>RFC 4180: every text field quoted, quotes doubled.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
