using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure.Progress;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Exporting;

public sealed record ExportVerification(bool Verified, long Events, int Agreements, long KeptDigests, SignedDigest? Digest, IReadOnlyList<string> Failures);

/// <summary>
/// Checks an export with no database: every agreement's hash chain, every kept digest and the closing
/// digest recomputed from the exported events, and every signature against public keys obtained
/// separately (an attacker who can edit the file can also replace a key inside it). Reads line by line.
/// </summary>
public static class ExportVerifier
{
    private const int MaxFailures = 100;

    /// <summary>
    /// Verifies the export that <paramref name="open"/> opens. It is opened twice: the kept digests
    /// come after the events, yet each is checked against the digest at its own position, so a
    /// second reader runs ahead to them while the first reads the events (memory does not grow with
    /// the export). A key id not among <paramref name="publicKeys"/> fails, like a bad signature.
    /// </summary>
    public static ExportVerification Verify(Func<TextReader> open, bool csv, IReadOnlyCollection<byte[]> publicKeys)
    {
        var keys = publicKeys.DistinctBy(AuditSigningKey.KeyIdOf).ToDictionary(AuditSigningKey.KeyIdOf, k => k, StringComparer.Ordinal);
        var keyList = string.Join(", ", keys.Keys);
        var failures = new List<string>();
        var tips = new Dictionary<string, (long Version, string Hash)>(StringComparer.Ordinal);
        var digest = EventHash.Genesis;
        long events = 0, lastPosition = 0, keptChecked = 0, lastKeptPosition = -1;
        SignedDigest? signed = null;
        var line = 0;
        var inKeptDigests = false;

        using var export = open();
        using var ahead = open();
        using var keptDigests = Records(ahead, csv).Where(r => r.Kind == ExportLedgerEndpoint.KeptDigestRecord).Select(r => r.Digest!).GetEnumerator();
        var nextKept = keptDigests.MoveNext() ? keptDigests.Current : null;

        void CheckSignature(string what, SignedDigest record)
        {
            if (keys.Count == 0)
            {
                return;
            }

            switch (AuditSigningKey.Check(keys, record))
            {
                case SignatureCheck.UnknownKey:
                    Fail(failures, $"{what} was signed with key {record.KeyId}, which is not among the keys given ({keyList})");
                    break;
                case SignatureCheck.Invalid:
                    Fail(failures, $"the signature of {what} does not verify");
                    break;
            }
        }

        // Every kept digest below a position, against the digest of the events before that position.
        void CheckKeptBelow(long position)
        {
            while (nextKept is not null && nextKept.Position < position)
            {
                var what = $"the kept digest at position {nextKept.Position}";
                if (nextKept.Position <= lastKeptPosition)
                {
                    Fail(failures, $"{what}: not after the kept digest at position {lastKeptPosition}");
                }

                if (nextKept.Digest != digest)
                {
                    Fail(failures, $"{what} is {nextKept.Digest}, but the exported events up to it give {digest}: events at or before it were altered, removed, reordered or inserted");
                }

                CheckSignature(what, nextKept);
                keptChecked++;
                lastKeptPosition = Math.Max(lastKeptPosition, nextKept.Position);
                nextKept = keptDigests.MoveNext() ? keptDigests.Current : null;
            }
        }

        foreach (var record in Records(export, csv))
        {
            line++;
            if (signed is not null)
            {
                Fail(failures, $"record {line}: records follow the digest record");
                break;
            }

            if (record.Kind == ExportLedgerEndpoint.DigestRecord)
            {
                signed = record.Digest;
                continue;
            }

            if (record.Kind == ExportLedgerEndpoint.KeptDigestRecord)
            {
                // Checked by the reader ahead, when the events before it had been read.
                inKeptDigests = true;
                continue;
            }

            var e = record.Event!;
            if (inKeptDigests)
            {
                Fail(failures, $"record {line}: an event follows the kept digests");
            }

            CheckKeptBelow(e.Position);
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
            var recomputed = EventHash.Compute(e.PreviousHash, new HashedEvent(e.Type, e.AgreementId, e.Version, EventEnvelope.OccurredOnOf(e.Type, data.RootElement), e.RecordedAt, e.RecordedBy, data.RootElement));
            if (recomputed != e.Hash)
            {
                Fail(failures, $"{e.AgreementId} version {e.Version}: the hash does not match the event's fields");
            }

            tips[e.AgreementId] = (e.Version, e.Hash);
            digest = LedgerDigests.Step(digest, e.Hash);
        }

        // The kept digests not yet checked lie at or after the last exported event: each covers all of them.
        CheckKeptBelow(long.MaxValue);

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

            if (lastPosition > signed.Position)
            {
                Fail(failures, $"events up to position {lastPosition} lie beyond the digest's position {signed.Position}");
            }

            if (lastKeptPosition > signed.Position)
            {
                Fail(failures, $"a kept digest at position {lastKeptPosition} lies beyond the digest's position {signed.Position}");
            }

            CheckSignature("the digest", signed);
        }

        if (keys.Count == 0)
        {
            Fail(failures, "no public key given: no signature was checked");
        }

        return new ExportVerification(failures.Count == 0, events, tips.Count, keptChecked, signed, failures);
    }

    /// <summary>
    /// <c>verify-export FILE --public-key KEY.pem [--public-key KEY.pem]… [--progress MODE] [--progress-interval SECONDS]</c>:
    /// 0 when the export verifies, 1 when not, 2 on bad usage. One key per file; give every key that
    /// signed a digest in the export. Progress (bytes of the file checked) goes to standard error.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var files = new List<string>();
        var keyFiles = new List<string>();
        string? progressMode = null, progressInterval = null;
        var usable = true;
        for (var i = 0; i < args.Length; i++)
        {
            // -p is the alias help shows (VerifyExportInput).
            if (Value("--public-key", "-p", ref i) is { } keyFile)
            {
                keyFiles.Add(keyFile);
            }
            else if (Value(ProgressOptions.ModeFlag, null, ref i) is { } mode)
            {
                progressMode = mode;
            }
            else if (Value(ProgressOptions.IntervalFlag, null, ref i) is { } interval)
            {
                progressInterval = interval;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                // A misspelt flag must not pass silently for a key that was given.
                usable = false;
            }
            else
            {
                files.Add(args[i]);
            }
        }

        // The value of a flag given as "FLAG VALUE" or "FLAG=VALUE" at args[i]; a flag without one makes the arguments unusable.
        string? Value(string flag, string? alias, ref int i)
        {
            if (args[i] == flag || args[i] == alias)
            {
                usable &= i + 1 < args.Length;
                return usable ? args[++i] : null;
            }

            return args[i].StartsWith(flag + "=", StringComparison.Ordinal) ? args[i][(flag.Length + 1)..] : null;
        }

        var (progressOptions, progressError) = ProgressOptions.Parse(progressMode, progressInterval);
        if (!usable || files.Count != 1 || !File.Exists(files[0]) || progressOptions is null)
        {
            await output.WriteLineAsync(progressError ?? "usage: verify-export FILE.ndjson|FILE.csv --public-key KEY.pem [--public-key KEY.pem]...   (the keys from GET /audit/public-key, one PEM a file)");
            return 2;
        }

        var keys = new List<byte[]>();
        foreach (var keyFile in keyFiles)
        {
            try
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportFromPem(await File.ReadAllTextAsync(keyFile));
                keys.Add(ecdsa.ExportSubjectPublicKeyInfo());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                await output.WriteLineAsync($"--public-key {keyFile}: not a readable PEM public key ({e.Message})");
                return 2;
            }
        }

        var file = files[0];
        ExportVerification report;
        using var progress = ConsoleProgress.ForCommand("verify-export", progressOptions);
        try
        {
            // Two readings, two steps: the reader ahead first scans to the kept digests after the events, then the first checks the events.
            var size = new FileInfo(file).Length;
            var opened = 0;
            report = Verify(
                () => new StreamReader(progress.Reading(File.OpenRead(file), opened++ == 0 ? "checking" : "scanning", size), Encoding.UTF8),
                file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase), keys);
            progress.End();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            // A file that is not an export at all fails the check; it is not a crash of the checker.
            progress.End();
            await output.WriteLineAsync($"NOT VERIFIED: the file is not a well-formed export ({e.GetType().Name}: {e.Message})");
            return 1;
        }

        await output.WriteLineAsync($"{(report.Verified ? "VERIFIED" : "NOT VERIFIED")}: {report.Events} events of {report.Agreements} agreements, " +
            $"{report.KeptDigests} kept digests, digest at position {report.Digest?.Position.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        foreach (var failure in report.Failures)
        {
            await output.WriteLineAsync("  " + failure);
        }

        return report.Verified ? 0 : 1;
    }

    private sealed record ExportRecord(string Kind, ExportedEvent? Event, SignedDigest? Digest);

    private static IEnumerable<ExportRecord> Records(TextReader reader, bool csv) => csv ? CsvRecords(reader) : NdjsonRecords(reader);

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

            if (kind != ExportLedgerEndpoint.EventRecord)
            {
                throw new FormatException($"a record of unknown kind '{kind}'");
            }

            yield return new ExportRecord(ExportLedgerEndpoint.EventRecord, new ExportedEvent(
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

            if (fields[0] is ExportLedgerEndpoint.DigestRecord or ExportLedgerEndpoint.KeptDigestRecord)
            {
                yield return new ExportRecord(fields[0], null, new SignedDigest(long.Parse(fields[1], CultureInfo.InvariantCulture), fields[11], fields[12], fields[13]));
                continue;
            }

            if (fields[0] != ExportLedgerEndpoint.EventRecord)
            {
                throw new FormatException($"a record of unknown kind '{fields[0]}'");
            }

            yield return new ExportRecord(ExportLedgerEndpoint.EventRecord, new ExportedEvent(
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
