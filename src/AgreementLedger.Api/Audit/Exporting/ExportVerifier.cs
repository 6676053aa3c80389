using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgreementLedger.Audit.Digests;

namespace AgreementLedger.Audit.Exporting;

public sealed record ExportVerification(bool Verified, long Events, int Agreements, SignedDigest? Digest, IReadOnlyList<string> Failures);

/// <summary>
/// Checks an export with no database: every agreement's hash chain, the ledger digest over the
/// exported events, and the digest's signature against a public key obtained separately (an
/// attacker who can edit the file can also replace a key inside it). Reads line by line.
/// </summary>
public static class ExportVerifier
{
    private const int MaxFailures = 100;

    public static ExportVerification Verify(TextReader export, bool csv, byte[]? subjectPublicKeyInfo)
    {
        var failures = new List<string>();
        var tips = new Dictionary<string, (long Version, string Hash)>(StringComparer.Ordinal);
        var digest = EventHash.Genesis;
        long events = 0, lastPosition = 0;
        SignedDigest? signed = null;
        var line = 0;

        foreach (var record in csv ? CsvRecords(export) : NdjsonRecords(export))
        {
            line++;
            if (signed is not null)
            {
                Fail(failures, $"record {line}: records follow the digest record");
                break;
            }

            if (record.Kind == "digest")
            {
                signed = record.Digest;
                continue;
            }

            var e = record.Event!;
            events++;
            if (e.Position <= lastPosition)
            {
                Fail(failures, $"position {e.Position}: not after position {lastPosition}");
            }

            lastPosition = e.Position;
            var (tipVersion, tipHash) = tips.TryGetValue(e.AgreementId, out var tip) ? tip : (0L, EventHash.Genesis);
            if (e.Version != tipVersion + 1)
            {
                Fail(failures, $"{e.AgreementId} version {e.Version}: expected version {tipVersion + 1}");
            }

            if (e.PreviousHash != tipHash)
            {
                Fail(failures, $"{e.AgreementId} version {e.Version}: previousHash does not match the hash of the event before it");
            }

            using var data = JsonDocument.Parse(e.Data);
            var recomputed = EventHash.Compute(e.PreviousHash, new HashedEvent(e.Type, e.AgreementId, e.Version, Agreements.EventEnvelope.OccurredOnOf(e.Type, data.RootElement), e.RecordedAt, e.RecordedBy, data.RootElement));
            if (recomputed != e.Hash)
            {
                Fail(failures, $"{e.AgreementId} version {e.Version}: the hash does not match the event's fields");
            }

            tips[e.AgreementId] = (e.Version, e.Hash);
            digest = LedgerDigests.Step(digest, e.Hash);
        }

        if (signed is null)
        {
            Fail(failures, "the export does not end with a digest record: it was cut short");
        }
        else
        {
            if (signed.Digest != digest)
            {
                Fail(failures, $"the digest over the exported events is {digest}, not the signed {signed.Digest}: events were altered, removed, reordered or inserted");
            }

            if (subjectPublicKeyInfo is null)
            {
                Fail(failures, "no public key given: the digest's signature was not checked");
            }
            else if (AuditSigningKey.KeyIdOf(subjectPublicKeyInfo) != signed.KeyId)
            {
                Fail(failures, $"the digest was signed with key {signed.KeyId}, not with the key given ({AuditSigningKey.KeyIdOf(subjectPublicKeyInfo)})");
            }
            else if (!AuditSigningKey.Verify(subjectPublicKeyInfo, signed.Position, signed.Digest, signed.Signature))
            {
                Fail(failures, "the digest's signature does not verify");
            }
        }

        return new ExportVerification(failures.Count == 0, events, tips.Count, signed, failures);
    }

    /// <summary><c>verify-export FILE --public-key KEY.pem</c>: 0 when the export verifies, 1 when not, 2 on bad usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var file = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        var keyAt = Array.IndexOf(args, "--public-key");
        if (file is null || (keyAt >= 0 && keyAt + 1 >= args.Length) || !File.Exists(file))
        {
            await output.WriteLineAsync("usage: verify-export FILE.ndjson|FILE.csv --public-key KEY.pem   (the key from GET /audit/public-key)");
            return 2;
        }

        byte[]? key = null;
        if (keyAt >= 0)
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(await File.ReadAllTextAsync(args[keyAt + 1]));
            key = ecdsa.ExportSubjectPublicKeyInfo();
        }

        using var reader = new StreamReader(file, Encoding.UTF8);
        ExportVerification report;
        try
        {
            report = Verify(reader, file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase), key);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            // A file that is not an export at all fails the check; it is not a crash of the checker.
            await output.WriteLineAsync($"NOT VERIFIED: the file is not a well-formed export ({e.GetType().Name}: {e.Message})");
            return 1;
        }

        await output.WriteLineAsync($"{(report.Verified ? "VERIFIED" : "NOT VERIFIED")}: {report.Events} events of {report.Agreements} agreements, digest at position {report.Digest?.Position.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        foreach (var failure in report.Failures)
        {
            await output.WriteLineAsync("  " + failure);
        }

        return report.Verified ? 0 : 1;
    }

    private sealed record ExportRecord(string Kind, ExportedEvent? Event, SignedDigest? Digest);

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
            if (root.GetProperty("record").GetString() == "digest")
            {
                yield return new ExportRecord("digest", null, new SignedDigest(
                    root.GetProperty("position").GetInt64(), root.GetProperty("digest").GetString()!,
                    root.GetProperty("signature").GetString()!, root.GetProperty("keyId").GetString()!));
                continue;
            }

            yield return new ExportRecord("event", new ExportedEvent(
                root.GetProperty("position").GetInt64(), root.GetProperty("agreementId").GetString()!, root.GetProperty("version").GetInt64(),
                root.GetProperty("type").GetString()!, root.GetProperty("data").GetRawText(), root.GetProperty("recordedAt").GetString()!,
                root.GetProperty("recordedBy").GetString()!, root.GetProperty("hash").GetString()!, root.GetProperty("previousHash").GetString()!), null);
        }
    }

    private static IEnumerable<ExportRecord> CsvRecords(TextReader reader)
    {
        var first = true;
        foreach (var fields in CsvRows(reader))
        {
            if (first)
            {
                first = false;
                continue;
            }

            if (fields.Count != ExportLedgerEndpoint.CsvColumns.Length)
            {
                throw new FormatException($"a CSV row has {fields.Count} fields, not {ExportLedgerEndpoint.CsvColumns.Length}");
            }

            if (fields[0] == "digest")
            {
                yield return new ExportRecord("digest", null, new SignedDigest(long.Parse(fields[1], CultureInfo.InvariantCulture), fields[11], fields[12], fields[13]));
                continue;
            }

            yield return new ExportRecord("event", new ExportedEvent(
                long.Parse(fields[1], CultureInfo.InvariantCulture), fields[2], long.Parse(fields[3], CultureInfo.InvariantCulture), fields[4], fields[8],
                fields[6], fields[7], fields[9], fields[10]), null);
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

    private static void Fail(List<string> failures, string failure)
    {
        if (failures.Count < MaxFailures)
        {
            failures.Add(failure);
        }
    }
}
