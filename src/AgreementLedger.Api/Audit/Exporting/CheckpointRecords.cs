using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgreementLedger.Audit.Transparency;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// The <c>checkpoint</c> and <c>consistency</c> records of an export, written and read back (docs/audit.md, section 4).
/// NDJSON: the checkpoint's JSON members as <c>GET /audit/checkpoint</c> answers them after <c>record</c>, and for a
/// <c>consistency</c> record <c>from</c>, <c>to</c> and <c>proof</c> after them. CSV, as the digest rows are written:
/// <c>position</c>, <c>digest</c> (the <c>rootHash</c>), <c>signature</c> and <c>keyId</c> unquoted in their columns, and
/// the members with no column of their own (<c>origin</c>, <c>treeSize</c>, <c>timestamp</c>, <c>cosignatures</c>, and
/// <c>from</c>, <c>to</c>, <c>proof</c>) as one JSON object in <c>data</c>.
/// </summary>
internal static class CheckpointRecords
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Ndjson(string record, Checkpoint checkpoint, ExportConsistency? consistency) =>
        Write(record, checkpoint, consistency, columns: true);

    public static string Csv(string record, Checkpoint checkpoint, ExportConsistency? consistency) => string.Join(',',
        record, checkpoint.Position.ToString(CultureInfo.InvariantCulture), "", "", "", "", "", "", ExportedEvent.Quote(Write(null, checkpoint, consistency, columns: false)),
        "", "", checkpoint.RootHash, checkpoint.Signature, checkpoint.KeyId, "");

    /// <summary>An NDJSON record read back: the checkpoint, and the proof of a <c>consistency</c> record.</summary>
    public static (Checkpoint Checkpoint, ExportConsistency? Consistency) FromNdjson(JsonElement root, bool consistency) =>
        Read(JsonNode.Parse(root.GetRawText())!.AsObject(), consistency);

    /// <summary>A CSV row read back, from its columns and the JSON in <c>data</c>.</summary>
    public static (Checkpoint Checkpoint, ExportConsistency? Consistency) FromCsv(IReadOnlyList<string> fields, bool consistency)
    {
        var members = JsonNode.Parse(fields[8])?.AsObject() ?? throw new FormatException("a checkpoint row's data is not a JSON object");
        members["position"] = long.Parse(fields[1], CultureInfo.InvariantCulture);
        members["rootHash"] = fields[11];
        members["signature"] = fields[12];
        members["keyId"] = fields[13];
        return Read(members, consistency);
    }

    private static (Checkpoint, ExportConsistency?) Read(JsonObject members, bool consistency)
    {
        var checkpoint = members.Deserialize<Checkpoint>(Json) ?? throw new FormatException("a checkpoint record is null");
        checkpoint = checkpoint with { Cosignatures = checkpoint.Cosignatures ?? [] };
        if (!consistency)
        {
            return (checkpoint, null);
        }

        var proof = new ExportConsistency(
            members["from"]?.GetValue<long>() ?? throw new FormatException("a consistency record without from"),
            members["to"]?.GetValue<long>() ?? throw new FormatException("a consistency record without to"),
            members["proof"]?.AsArray().Select(h => h?.GetValue<string>() ?? "").ToList() ?? throw new FormatException("a consistency record without proof"));
        return (checkpoint, proof);
    }

    /// <summary>The record's JSON; without <paramref name="columns"/>, only the members a CSV row has no column for.</summary>
    private static string Write(string? record, Checkpoint checkpoint, ExportConsistency? consistency, bool columns)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (record is not null)
            {
                json.WriteString("record", record);
            }

            json.WriteString("origin", checkpoint.Origin);
            json.WriteNumber("treeSize", checkpoint.TreeSize);
            if (columns)
            {
                json.WriteString("rootHash", checkpoint.RootHash);
                json.WriteNumber("position", checkpoint.Position);
            }

            json.WriteString("timestamp", checkpoint.Timestamp);
            if (columns)
            {
                json.WriteString("keyId", checkpoint.KeyId);
                json.WriteString("signature", checkpoint.Signature);
            }

            json.WriteStartArray("cosignatures");
            foreach (var cosignature in checkpoint.Cosignatures)
            {
                json.WriteStartObject();
                json.WriteString("witness", cosignature.Witness);
                json.WriteString("keyId", cosignature.KeyId);
                json.WriteString("timestamp", cosignature.Timestamp);
                json.WriteString("signature", cosignature.Signature);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (consistency is not null)
            {
                json.WriteNumber("from", consistency.From);
                json.WriteNumber("to", consistency.To);
                json.WriteStartArray("proof");
                foreach (var hash in consistency.Proof)
                {
                    json.WriteStringValue(hash);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
