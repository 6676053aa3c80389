using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AgreementLedger.Audit.Digests;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;

namespace AgreementLedger.IntegrationTests.Audit.Exporting;

/// <summary>
/// docs/verify_export.py is the auditor's check written from docs/ alone (Python's standard library
/// and openssl, none of the service's code). These tests hold the service to it: what the service
/// exports must verify there, and any edit must not.
/// </summary>
[Collection(AuditExportCollection.Name)]
public sealed class ReferenceCheckTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-reference-").FullName;

    [Fact]
    public async Task the_worked_example_of_hashing_md_holds_in_the_reference_check()
    {
        var (exitCode, output) = await PythonAsync(["--self-test"]);

        Assert.True(exitCode == 0, output);
        Assert.StartsWith("SELF-TEST PASSED", output);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task an_export_verifies_in_the_reference_check_and_any_edit_or_another_key_does_not(string format)
    {
        var id = Given.NewId("reference");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", place = "Tōkyō \"HQ\", 東京 😀", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", place = "London/Whitehall", occurredOn = "2024-02-02" }, 200);
        // Decimals are where a naive canonical form goes wrong: 1234.50 is hashed as 1234.5, 0.10 as 0.1.
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "EU", amount = 1234.50m, currency = "EUR", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 0.10m, currency = "JPY", occurredOn = "2024-03-02" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "GB", amount = 98765432109.99m, currency = "GBP", occurredOn = "2024-03-03" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", note = "line one\nline two\ttabbed \\ back-slashed", occurredOn = "2024-03-04" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 7, reason = "misreported" }, 200);
        // Treaty law's events hash like any other: a stored default list of parties, a reservation's refersTo, an effectiveOn ahead.
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", depositary = "外務省", occurredOn = "2024-04-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-05-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "GB", kind = "declaration", text = "Art. 3 — «overseas»", occurredOn = "2024-05-02" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "objection", text = "None.", refersTo = 11, occurredOn = "2024-05-03" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/denunciations", new { party = "JP", occurredOn = "2024-06-01", effectiveOn = "2099-06-01" }, 200);

        var export = Path.Combine(_folder, "ledger." + format);
        var key = await PublicKeyFileAsync();
        var text = await ExportAsync(format);
        await File.WriteAllTextAsync(export, text);

        var (good, goodOutput) = await PythonAsync([export, "--public-key", key]);
        Assert.True(good == 0, goodOutput);
        Assert.StartsWith("VERIFIED", goodOutput);

        // One character of one event's data.
        await File.WriteAllTextAsync(export, Replace(text, "London/Whitehall", "London/Whitehalm"));
        var (edited, editedOutput) = await PythonAsync([export, "--public-key", key]);
        Assert.Equal(1, edited);
        Assert.Contains($"{id} version 3: the hash does not match", editedOutput);

        // A respelt amount with the same value is not an edit: 1234.5 and 1234.50 are one number.
        await File.WriteAllTextAsync(export, Replace(text, "1234.5", "1234.50"));
        var (respelt, respeltOutput) = await PythonAsync([export, "--public-key", key]);
        Assert.True(respelt == 0, respeltOutput);

        // The newest event cut off: the signed digest no longer matches what is left.
        await File.WriteAllTextAsync(export, WithoutLastEvent(text, format));
        var (cut, cutOutput) = await PythonAsync([export, "--public-key", key]);
        Assert.Equal(1, cut);
        Assert.Contains("the digest over the exported events is", cutOutput);

        // A key that did not sign it.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(export, text);
        await File.WriteAllTextAsync(key, other.ExportSubjectPublicKeyInfoPem());
        var (otherKey, otherKeyOutput) = await PythonAsync([export, "--public-key", key]);
        Assert.Equal(1, otherKey);
        Assert.Contains("which is not among the keys given", otherKeyOutput);
    }

    [Fact]
    public async Task a_signature_over_another_digest_does_not_verify_in_the_reference_check()
    {
        var text = await ExportAsync("ndjson");
        var lines = text.TrimEnd('\n').Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("{\"record\":\"digest\"", StringComparison.Ordinal));
        var digest = JsonNode.Parse(lines[at])!.AsObject();
        // The right key and key id, a well-formed signature, but over a different message.
        var signature = Convert.FromBase64String(digest["signature"]!.GetValue<string>());
        signature[10] ^= 0x01;
        digest["signature"] = Convert.ToBase64String(signature);
        lines[at] = digest.ToJsonString();
        var export = Path.Combine(_folder, "ledger.ndjson");
        var key = await PublicKeyFileAsync();
        await File.WriteAllTextAsync(export, string.Join('\n', lines) + "\n");

        var (exitCode, output) = await PythonAsync([export, "--public-key", key]);

        Assert.Equal(1, exitCode);
        Assert.Contains("the signature of the digest does not verify", output);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task a_kept_digest_signed_by_a_key_not_given_fails_both_checkers_and_verifies_once_that_key_is_given_too(string format)
    {
        var (text, kept) = await ExportWithKeptDigestAsync(format);
        using var previous = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var previousId = AuditSigningKey.KeyIdOf(previous.ExportSubjectPublicKeyInfo());
        var serviceKey = await PublicKeyFileAsync();
        var previousKey = Path.Combine(_folder, "previous.pem");
        await File.WriteAllTextAsync(previousKey, previous.ExportSubjectPublicKeyInfoPem());
        // As if kept before a key rotation: signed correctly, by a key the auditor must be given too.
        var export = await WriteAsync(format, EditKeptDigest(text, format, kept.Position, _ => kept with { KeyId = previousId, Signature = Sign(previous, kept.Position, kept.Digest) }));

        var withoutIt = await ReferenceCheck.BothAsync(export, serviceKey);
        var withIt = await ReferenceCheck.BothAsync(export, serviceKey, previousKey);

        var serviceId = AuditSigningKey.KeyIdOf(await ServicePublicKeyAsync());
        AssertBoth(withoutIt, 1, $"the kept digest at position {kept.Position} was signed with key {previousId}, which is not among the keys given ({serviceId})");
        AssertBoth(withIt, 0, "VERIFIED");
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task a_kept_digest_the_exported_events_do_not_give_or_whose_signature_fails_fails_both_checkers(string format)
    {
        var (text, kept) = await ExportWithKeptDigestAsync(format);
        // A key the auditor was given: then only recomputing the digest at its position catches this one.
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgerKey = Path.Combine(_folder, "forger.pem");
        await File.WriteAllTextAsync(forgerKey, forger.ExportSubjectPublicKeyInfoPem());
        var serviceKey = await PublicKeyFileAsync();
        var other = new string('a', 64);

        var differs = await ReferenceCheck.BothAsync(await WriteAsync(format, EditKeptDigest(text, format, kept.Position, _ => kept with
        {
            Digest = other, KeyId = AuditSigningKey.KeyIdOf(forger.ExportSubjectPublicKeyInfo()), Signature = Sign(forger, kept.Position, other),
        })), serviceKey, forgerKey);
        var badSignature = await ReferenceCheck.BothAsync(await WriteAsync(format, EditKeptDigest(text, format, kept.Position, _ => kept with
        {
            Signature = Sign(forger, kept.Position, kept.Digest),
        })), serviceKey);

        AssertBoth(differs, 1, $"the kept digest at position {kept.Position} is {other}, but the exported events up to it give {kept.Digest}");
        AssertBoth(badSignature, 1, $"the signature of the kept digest at position {kept.Position} does not verify");
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task every_exported_event_carries_its_leaf_index_both_checkers_check_it_and_an_export_without_them_still_verifies(string format)
    {
        await ledger.Host.ProposedAsync(Given.NewId("leaves"), "JP", "GB");
        await ledger.Host.ProposedAsync(Given.NewId("leaves"), "JP");
        var text = await ExportAsync(format);
        var key = await PublicKeyFileAsync();
        var events = EventLines(text, format).ToList();
        Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(line => LeafIndexOf(text, format, line)));

        var good = await ReferenceCheck.BothAsync(await WriteAsync(format, text), key);
        AssertBoth(good, 0, "VERIFIED");

        // The second event's leaf named as the first's: both checkers count the leaves themselves.
        var second = events[1];
        var renumbered = await ReferenceCheck.BothAsync(await WriteAsync(format, text.Replace(second, WithLeafIndex(second, format, 0), StringComparison.Ordinal)), key);
        AssertBoth(renumbered, 1, $"leafIndex 0, but it is event 1 (from 0) in position order");

        // An export written before events carried leafIndex: still read, and verified.
        var old = await ReferenceCheck.BothAsync(await WriteAsync(format, WithoutLeafIndexes(text, format)), key);
        AssertBoth(old, 0, "VERIFIED");
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task both_checkers_recompute_the_checkpoint_records_root_check_its_signature_and_count_cosignatures(string format)
    {
        await ledger.Host.ProposedAsync(Given.NewId("checkpointed"), "JP", "GB");
        var text = await ExportAsync(format);
        var key = await PublicKeyFileAsync();
        var lines = text.TrimEnd('\n').Split('\n');
        var lastEvent = EventLines(text, format).Last();
        var hash = format == "csv" ? lastEvent.Split(',')[^6] : JsonNode.Parse(lastEvent)!["hash"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", hash);
        var checkpoint = lines[^1];
        Assert.StartsWith(format == "csv" ? "checkpoint," : "{\"record\":\"checkpoint\"", checkpoint, StringComparison.Ordinal);
        var withoutCheckpoint = text[..text.LastIndexOf(checkpoint, StringComparison.Ordinal)];

        var good = await ReferenceCheck.BothAsync(await WriteAsync(format, text), key);
        AssertBoth(good, 0, "VERIFIED");
        foreach (var (_, output) in good)
        {
            Assert.Matches(@", checkpoint of \d+ leaves, 0 cosignatures by the given witnesses", output);
        }

        var leaf = await ReferenceCheck.BothAsync(await WriteAsync(format, text.Replace(hash, new string('a', 64), StringComparison.Ordinal)), key);
        AssertBoth(leaf, 1, "the Merkle root of the exported events is");

        var forged = await ReferenceCheck.BothAsync(await WriteAsync(format, text.Replace(checkpoint, WithFlippedSignature(checkpoint, format), StringComparison.Ordinal)), key);
        AssertBoth(forged, 1, "the checkpoint record's signature does not verify with key");

        var unwitnessed = await ReferenceCheck.BothWithAsync([await WriteAsync(format, text), "--public-key", key, "--min-cosignatures", "1"]);
        AssertBoth(unwitnessed, 1, "0 of the given witnesses cosigned the checkpoint record or the consistency record; at least 1 required");

        // Written before exports carried a checkpoint: verifies as it did, but no cosignature can be counted.
        var older = await WriteAsync(format, withoutCheckpoint);
        AssertBoth(await ReferenceCheck.BothAsync(older, key), 0, "VERIFIED");
        AssertBoth(await ReferenceCheck.BothWithAsync([older, "--public-key", key, "--min-cosignatures", "1"]), 1, "the export has no checkpoint record");
    }

    [Fact]
    public async Task a_min_cosignatures_that_is_not_a_whole_number_or_a_witness_key_that_is_not_a_pem_key_is_bad_usage_in_both_checkers()
    {
        var export = await WriteAsync("ndjson", await ExportAsync("ndjson"));
        var key = await PublicKeyFileAsync();
        var notAKey = Path.Combine(_folder, "not-a-key.pem");
        await File.WriteAllTextAsync(notAKey, "hello");

        foreach (var args in new[]
        {
            new[] { export, "--public-key", key, "--min-cosignatures", "many" },
            [export, "--public-key", key, "--min-cosignatures", "-1"],
            [export, "--public-key", key, "--min-cosignatures", "1", "--min-cosignatures", "2"],
            [export, "--public-key", key, "--witness-key", notAKey],
            [export, "--public-key", key, "--witness-keys", key],
        })
        {
            foreach (var (exit, output) in await ReferenceCheck.BothWithAsync(args))
            {
                Assert.True(exit == 2, $"{string.Join(' ', args[1..])}: {output}");
            }
        }
    }

    /// <summary>A checkpoint record (NDJSON or CSV) whose signature is well-formed but over something else.</summary>
    private static string WithFlippedSignature(string line, string format)
    {
        static string Flip(string signature)
        {
            var bytes = Convert.FromBase64String(signature);
            bytes[7] ^= 1;
            return Convert.ToBase64String(bytes);
        }

        if (format == "csv")
        {
            // signature is the third field from the end (then keyId, then the empty leafIndex); none of the three is quoted.
            var fields = line.TrimEnd('\r').Split(',');
            fields[^3] = Flip(fields[^3]);
            return string.Join(',', fields) + (line.EndsWith('\r') ? "\r" : "");
        }

        var json = JsonNode.Parse(line)!.AsObject();
        json["signature"] = Flip(json["signature"]!.GetValue<string>());
        return json.ToJsonString();
    }

    /// <summary>The event lines of an export (NDJSON: one object a line; CSV: one row a line, data JSON has no raw line break).</summary>
    private static IEnumerable<string> EventLines(string text, string format) =>
        text.TrimEnd('\n').Split('\n').Where(line => line.StartsWith(format == "csv" ? "event," : "{\"record\":\"event\"", StringComparison.Ordinal));

    private static long LeafIndexOf(string text, string format, string line) => format == "csv"
        ? long.Parse(line[(line.LastIndexOf(',') + 1)..], CultureInfo.InvariantCulture)
        : JsonNode.Parse(line)!["leafIndex"]!.GetValue<long>();

    private static string WithLeafIndex(string line, string format, long leaf)
    {
        if (format == "csv")
        {
            return line[..(line.LastIndexOf(',') + 1)] + leaf.ToString(CultureInfo.InvariantCulture);
        }

        var json = JsonNode.Parse(line)!.AsObject();
        json["leafIndex"] = leaf;
        return json.ToJsonString();
    }

    /// <summary>The export as one written before leafIndex: no member (NDJSON), no last column (CSV).</summary>
    private static string WithoutLeafIndexes(string text, string format) =>
        string.Join('\n', text.TrimEnd('\n').Split('\n').Select(line =>
        {
            if (format == "csv")
            {
                return line[..line.LastIndexOf(',')];
            }

            var json = JsonNode.Parse(line)!.AsObject();
            json.Remove("leafIndex");
            return json.ToJsonString();
        })) + "\n";

    [Theory]
    [InlineData("ledger.ndjson", "not json\n")]
    [InlineData("ledger.ndjson", "{\"record\":\"event\",\"position\":1}\n")]
    [InlineData("ledger.ndjson", "{\"record\":\"digest\",\"position\":\"one\",\"digest\":\"x\",\"signature\":\"x\",\"keyId\":\"x\"}\n")]
    [InlineData("ledger.csv", "record,position\r\nevent,1\r\n")]
    public async Task a_file_that_is_not_an_export_fails_both_checkers_without_crashing(string name, string content)
    {
        var file = Path.Combine(_folder, name);
        var key = await PublicKeyFileAsync();
        await File.WriteAllTextAsync(file, content);

        var (reference, referenceOutput) = await PythonAsync([file, "--public-key", key]);
        var (service, serviceOutput, serviceError) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", key);

        Assert.Equal(1, reference);
        Assert.StartsWith("NOT VERIFIED: the file is not a well-formed export", referenceOutput);
        Assert.DoesNotContain("Traceback", referenceOutput);
        Assert.Equal(1, service);
        Assert.StartsWith("NOT VERIFIED: the file is not a well-formed export", serviceOutput);
        Assert.DoesNotContain("   at ", serviceOutput + serviceError);
    }

    /// <summary>
    /// The reference canonical form and the service's agree on thousands of generated values:
    /// arbitrary doubles, two-place decimals, strings with controls, quotes, non-ASCII and
    /// surrogate pairs, and member names whose UTF-16 order differs from their code-point order.
    /// </summary>
    [Fact]
    public async Task the_reference_canonical_form_agrees_with_the_services_on_generated_values()
    {
        var random = new Random(20261130);
        var values = Enumerable.Range(0, 3000).Select(_ => Value(random, depth: 0)).Select(v => v?.ToJsonString() ?? "null").ToList();
        var input = Path.Combine(_folder, "values.ndjson");
        await File.WriteAllLinesAsync(input, values.Select(v => $"{{\"v\":{v}}}"));

        var (exitCode, output) = await PythonAsync(["--canonicalize"], stdinFile: input);

        Assert.True(exitCode == 0, output);
        var python = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(values.Count, python.Length);
        for (var i = 0; i < values.Count; i++)
        {
            var service = CanonicalJson.Serialize($"{{\"v\":{values[i]}}}");
            Assert.True(service == python[i], $"value {i}: {values[i]}\n service: {service}\n python:  {python[i]}");
        }
    }

    private static JsonNode? Value(Random random, int depth)
    {
        switch (random.Next(depth >= 3 ? 5 : 7))
        {
            case 0:
                // Any finite double, from its bits.
                double d;
                do
                {
                    d = BitConverter.Int64BitsToDouble(random.NextInt64());
                }
                while (!double.IsFinite(d));
                return JsonValue.Create(d);
            case 1:
                return JsonValue.Create(Math.Round((decimal)random.NextDouble() * (decimal)Math.Pow(10, random.Next(0, 13)), 2));
            case 2:
                return JsonValue.Create(random.Next(-1000, 1000));
            case 3:
                return JsonValue.Create(Text(random));
            case 4:
                return random.Next(3) switch { 0 => JsonValue.Create(true), 1 => JsonValue.Create(false), _ => null };
            case 5:
                return new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth + 1)).ToArray());
            default:
                var obj = new JsonObject();
                for (var i = random.Next(5); i > 0; i--)
                {
                    obj[Text(random)] = Value(random, depth + 1);
                }

                return obj;
        }
    }

    private static readonly string[] Pieces = ["a", "B", "1", "\"", "\\", "/", "\n", "\t", "\u0001", "\u001f", "\u007f", "é", "€", "東", "\ufb33", "\ue000", "😀", "𝄞", " "];

    private static string Text(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(6)).Select(_ => Pieces[random.Next(Pieces.Length)]));

    /// <summary>An agreement of two events with a digest kept between them (answered as /audit/digest answered it), then the export.</summary>
    private async Task<(string Export, SignedDigest Kept)> ExportWithKeptDigestAsync(string format)
    {
        var id = Given.NewId("kept");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var taken = await ledger.Host.GetAsync("/audit/digest");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var kept = new SignedDigest(taken["position"].GetInt64(), taken["digest"].GetString()!, taken["signature"].GetString()!, taken["keyId"].GetString()!);
        var text = await ExportAsync(format);
        Assert.Contains(format == "csv" ? $"\nkept-digest,{kept.Position}," : $"\n{{\"record\":\"kept-digest\",\"position\":{kept.Position},", text);
        return (text, kept);
    }

    /// <summary>Replaces the kept-digest record at a position, leaving every other byte as it was.</summary>
    private static string EditKeptDigest(string text, string format, long position, Func<SignedDigest, SignedDigest> edit)
    {
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith(format == "csv" ? $"kept-digest,{position}," : $"{{\"record\":\"kept-digest\",\"position\":{position},", StringComparison.Ordinal));
        Assert.True(at >= 0, text);
        var line = lines[at].TrimEnd('\r');
        SignedDigest record;
        if (format == "csv")
        {
            var fields = line.Split(',');
            record = edit(new SignedDigest(position, fields[11], fields[12], fields[13]));
            (fields[11], fields[12], fields[13]) = (record.Digest, record.Signature, record.KeyId);
            lines[at] = string.Join(',', fields) + lines[at][line.Length..];
        }
        else
        {
            var json = JsonNode.Parse(line)!.AsObject();
            record = edit(new SignedDigest(position, json["digest"]!.GetValue<string>(), json["signature"]!.GetValue<string>(), json["keyId"]!.GetValue<string>()));
            json["digest"] = record.Digest;
            json["signature"] = record.Signature;
            json["keyId"] = record.KeyId;
            lines[at] = json.ToJsonString();
        }

        return string.Join('\n', lines);
    }

    private static string Sign(ECDsa key, long position, string digest) =>
        Convert.ToBase64String(key.SignData(AuditSigningKey.Message(position, digest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private async Task<string> WriteAsync(string format, string text)
    {
        var export = Path.Combine(_folder, $"edited-{Guid.NewGuid():N}.{format}");
        await File.WriteAllTextAsync(export, text);
        return export;
    }

    /// <summary>Both checkers answered <paramref name="exitCode"/> and printed a line that holds <paramref name="line"/>.</summary>
    private static void AssertBoth((int ExitCode, string Output)[] results, int exitCode, string line)
    {
        foreach (var (exit, output) in results)
        {
            Assert.True(exit == exitCode, output);
            Assert.Contains(line, output);
        }
    }

    private async Task<byte[]> ServicePublicKeyAsync() =>
        Convert.FromBase64String((await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("publicKey").GetString()!);

    /// <summary>The service's digest key as a PEM file, as an auditor would fetch and keep it.</summary>
    private async Task<string> PublicKeyFileAsync()
    {
        var key = Path.Combine(_folder, "key.pem");
        await File.WriteAllTextAsync(key, (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString());
        return key;
    }

    private async Task<string> ExportAsync(string format)
    {
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export?format=" + format);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        return await result.ReadAsTextAsync();
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    /// <summary>Drops the last event record, keeping the kept-digest records and the digest record.</summary>
    private static string WithoutLastEvent(string text, string format)
    {
        var lines = text.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var last = lines.FindLastIndex(l => l.StartsWith(format == "csv" ? "event," : "{\"record\":\"event\"", StringComparison.Ordinal));
        Assert.True(last >= 1, text);
        lines.RemoveAt(last);
        var newline = format == "csv" ? "\r\n" : "\n";
        return string.Join(newline, lines) + newline;
    }

    private static Task<(int ExitCode, string Output)> PythonAsync(string[] args, string? stdinFile = null) => ReferenceCheck.RunAsync(args, stdinFile);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
