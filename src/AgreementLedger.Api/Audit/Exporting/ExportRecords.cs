using System.Globalization;
using System.Text;
using System.Text.Json;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Transparency;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// An export read back record by record, from NDJSON or CSV (the two formats <see cref="ExportLedgerEndpoint"/>
/// writes), for the offline check: nothing but parsing, so that <see cref="ExportVerifier"/> sees one shape.
/// </summary>
internal static class ExportRecords
{
    public sealed record ExportRecord(string Kind, ExportedEvent? Event, SignedDigest? Digest, Checkpoint? Checkpoint = null, ExportConsistency? Consistency = null);

    private static bool IsCheckpoint(string? kind) => kind is ExportLedgerEndpoint.CheckpointRecord or ExportLedgerEndpoint.ConsistencyRecord;

    public static IEnumerable<ExportRecord> Read(TextReader reader, bool csv) => csv ? CsvRecords(reader) : NdjsonRecords(reader);

    private static IEnumerable<ExportRecord> NdjsonRecords(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var kind = root.GetProperty("record").GetString();
            if (kind is ExportLedgerEndpoint.DigestRecord or ExportLedgerEndpoint.KeptDigestRecord)
            {
                yield return new ExportRecord(kind, null, new SignedDigest(
                    root.GetProperty("position").GetInt64(), root.GetProperty("digest").GetString()!,
                    root.GetProperty("signature").GetString()!, root.GetProperty("keyId").GetString()!));
                continue;
            }

            if (IsCheckpoint(kind))
            {
                var (checkpoint, consistency) = CheckpointRecords.FromNdjson(root, kind == ExportLedgerEndpoint.ConsistencyRecord);
                yield return new ExportRecord(kind!, null, null, checkpoint, consistency);
                continue;
            }

            if (kind != ExportLedgerEndpoint.EventRecord)
            {
                throw new FormatException($"a record of unknown kind '{kind}'");
            }

            yield return new ExportRecord(ExportLedgerEndpoint.EventRecord, new ExportedEvent(
                root.GetProperty("position").GetInt64(), root.GetProperty("agreementId").GetString()!, root.GetProperty("version").GetInt64(),
                root.GetProperty("type").GetString()!, root.GetProperty("data").GetRawText(), root.GetProperty("recordedAt").GetString()!,
                root.GetProperty("recordedBy").GetString()!, root.GetProperty("hash").GetString()!, root.GetProperty("previousHash").GetString()!,
                root.TryGetProperty("leafIndex", out var leaf) ? leaf.GetInt64() : null), null);
        }
    }

    private static IEnumerable<ExportRecord> CsvRecords(TextReader reader)
    {
        // The header says which columns the rows have: an export written before leafIndex has all but that last one.
        int? columns = null;
        foreach (var fields in CsvRows(reader))
        {
            if (columns is null)
            {
                columns = fields.Count == ExportLedgerEndpoint.CsvColumnsWithoutLeafIndex ? fields.Count : ExportLedgerEndpoint.CsvColumns.Length;
                continue;
            }

            if (fields.Count != columns)
            {
                throw new FormatException($"a CSV row has {fields.Count} fields, not {columns}");
            }

            if (fields[0] is ExportLedgerEndpoint.DigestRecord or ExportLedgerEndpoint.KeptDigestRecord)
            {
                yield return new ExportRecord(fields[0], null, new SignedDigest(long.Parse(fields[1], CultureInfo.InvariantCulture), fields[11], fields[12], fields[13]));
                continue;
            }

            if (IsCheckpoint(fields[0]))
            {
                var (checkpoint, consistency) = CheckpointRecords.FromCsv(fields, fields[0] == ExportLedgerEndpoint.ConsistencyRecord);
                yield return new ExportRecord(fields[0], null, null, checkpoint, consistency);
                continue;
            }

            if (fields[0] != ExportLedgerEndpoint.EventRecord)
            {
                throw new FormatException($"a record of unknown kind '{fields[0]}'");
            }

            yield return new ExportRecord(ExportLedgerEndpoint.EventRecord, new ExportedEvent(
                long.Parse(fields[1], CultureInfo.InvariantCulture), fields[2], long.Parse(fields[3], CultureInfo.InvariantCulture), fields[4], fields[8],
                fields[6], fields[7], fields[9], fields[10],
                fields.Count > 14 && fields[14].Length > 0 ? long.Parse(fields[14], CultureInfo.InvariantCulture) : null), null);
        }
    }

    /// <summary>RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static IEnumerable<List<string>> CsvRows(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            any = true;
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                yield return fields;
                fields = [];
                any = false;
            }
            else if (ch != '\r')
            {
                field.Append(ch);
            }
        }

        if (any)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
