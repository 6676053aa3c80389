using System.Security.Cryptography;
using AgreementLedger.Audit.Exporting;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Audit.Exporting;

[Collection(AuditExportCollection.Name)]
public sealed class ExportTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-export-").FullName;

    /// <summary>The service's digest key, obtained apart from any export, as the offline verifier takes it.</summary>
    private async Task<byte[][]> PublicKeyAsync()
    {
        var pem = (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString()!;
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return [key.ExportSubjectPublicKeyInfo()];
    }

    /// <summary>An agreement of three events with a digest kept after the first, then the export.</summary>
    private async Task<string> ExportAsync(string query = "")
    {
        var id = Given.NewId("export");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.GetAsync("/audit/digest");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", place = "Tokyo, \"HQ\"", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "misreported" }, 200);
        return await ExportTextAsync(query);
    }

    private async Task<string> ExportTextAsync(string query)
    {
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export" + query);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        return await result.ReadAsTextAsync();
    }

    private static ExportVerification Verify(string export, bool csv, byte[][] keys) => ExportVerifier.Verify(() => new StringReader(export), csv, keys);

    /// <summary>The record kind and position of every line (CSV: both are unquoted, the first two fields).</summary>
    private static List<(string Record, long Position)> Records(string export, bool csv) =>
        [.. export.TrimEnd('\n').Split('\n').Skip(csv ? 1 : 0).Select(line =>
        {
            if (csv)
            {
                var fields = line.Split(',', 3);
                return (fields[0], long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
            }

            using var json = System.Text.Json.JsonDocument.Parse(line);
            return (json.RootElement.GetProperty("record").GetString()!, json.RootElement.GetProperty("position").GetInt64());
        })];

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task an_export_lists_every_kept_digest_up_to_its_position_after_the_events_and_before_the_digest(string format)
    {
        var id = Given.NewId("kept-export");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var first = await ledger.Host.GetAsync("/audit/digest");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var second = await ledger.Host.GetAsync("/audit/digest");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        var export = await ExportTextAsync("?format=" + format);
        var csv = format == "csv";
        var records = Records(export, csv);
        var position = records[^2].Position;
        var kept = records.Where(r => r.Record == "kept-digest").Select(r => r.Position).ToList();

        // The digest record, then the checkpoint record (no witness here, so no consistency record).
        Assert.Equal("digest", records[^2].Record);
        Assert.Equal(
            [.. Enumerable.Repeat("event", records.Count - kept.Count - 2), .. Enumerable.Repeat("kept-digest", kept.Count), "digest", "checkpoint"],
            records.Select(r => r.Record).ToList());
        // Every digest the service kept up to the export's position, its own included, in position order.
        Assert.Equal(await ledger.ScalarAsync<long>("select count(*) from ledger.audit_digests where position <= $1", position), kept.Count);
        Assert.Equal(kept.Order().Distinct().ToList(), kept);
        Assert.Contains(first["position"].GetInt64(), kept);
        Assert.Contains(second["position"].GetInt64(), kept);
        Assert.Equal(position, kept[^1]);
        // Each with the fields of /audit/digest, as /audit/digest answered them.
        foreach (var answer in new[] { first, second })
        {
            var (at, digest, signature, keyId) = (answer["position"].GetInt64(), answer["digest"].GetString(), answer["signature"].GetString(), answer["keyId"].GetString());
            var line = export.Split('\n').Single(l => l.StartsWith(csv ? $"kept-digest,{at}," : $"{{\"record\":\"kept-digest\",\"position\":{at},", StringComparison.Ordinal)).TrimEnd('\r');
            if (csv)
            {
                Assert.Equal($"kept-digest,{at},,,,,,,,,,{digest},{signature},{keyId},", line);
            }
            else
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                Assert.Equal(
                    [("record", "kept-digest"), ("position", at.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("digest", digest), ("signature", signature), ("keyId", keyId)],
                    json.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == System.Text.Json.JsonValueKind.Number ? p.Value.GetRawText() : p.Value.GetString())).ToList());
            }
        }

        var report = Verify(export, csv, await PublicKeyAsync());
        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.Equal(kept.Count, report.KeptDigests);
    }

    [Fact]
    public async Task an_export_as_of_an_instant_leaves_out_digests_kept_beyond_its_position()
    {
        var id = Given.NewId("kept-asof");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var asOf = (await ledger.Host.GetAsync($"/agreements/{id}"))["lastRecordedAt"].GetString()!;
        await Task.Delay(5);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var later = (await ledger.Host.GetAsync("/audit/digest"))["position"].GetInt64();

        var export = await ExportTextAsync("?asOf=" + Uri.EscapeDataString(asOf));
        var records = Records(export, csv: false);
        var position = records.Single(r => r.Record == "digest").Position;

        Assert.True(position < later, $"the export reaches position {position}, the later digest {later}");
        Assert.DoesNotContain(records, r => r.Record == "kept-digest" && r.Position > position);
        Assert.Equal(await ledger.ScalarAsync<long>("select count(*) from ledger.audit_digests where position <= $1", position), records.Count(r => r.Record == "kept-digest"));
        var report = Verify(export, csv: false, await PublicKeyAsync());
        Assert.True(report.Verified, string.Join("\n", report.Failures));
    }

    [Fact]
    public async Task an_ndjson_export_verifies_offline_and_fails_after_a_one_byte_edit()
    {
        var export = await ExportAsync();
        var key = await PublicKeyAsync();

        var good = Verify(export, csv: false, key);
        var edited = Verify(OneByteEdit(export), csv: false, key);

        Assert.True(good.Verified, string.Join("\n", good.Failures));
        Assert.True(good.Events >= 3);
        Assert.StartsWith("{\"record\":\"digest\"", export.TrimEnd().Split('\n')[^2]);
        Assert.StartsWith("{\"record\":\"checkpoint\"", export.TrimEnd().Split('\n')[^1]);
        Assert.False(edited.Verified);
    }

    [Fact]
    public async Task a_csv_export_verifies_offline_too()
    {
        var export = await ExportAsync("?format=csv");

        var report = Verify(export, csv: true, await PublicKeyAsync());

        Assert.StartsWith("record,position,agreementId,version,type", export);
        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.False(Verify(OneByteEdit(export), csv: true, await PublicKeyAsync()).Verified);
    }

    [Fact]
    public async Task an_export_as_of_before_any_event_holds_only_the_digest_of_nothing()
    {
        await ExportAsync();
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export?asOf=2000-01-01");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        var export = await result.ReadAsTextAsync();

        var report = Verify(export, csv: false, await PublicKeyAsync());

        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.Equal(0, report.Events);
        Assert.Equal(0, report.Digest!.Position);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task an_export_ends_with_the_checkpoint_over_exactly_its_events_as_the_checkpoint_route_gives_that_size(string format)
    {
        var csv = format == "csv";
        var export = await ExportAsync("?format=" + format);

        var report = Verify(export, csv, await PublicKeyAsync());

        Assert.True(report.Verified, string.Join("\n", report.Failures));
        var checkpoint = report.Checkpoint!;
        Assert.Null(report.Consistent);
        Assert.Equal(report.Events, checkpoint.TreeSize);
        var served = await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={report.Events}");
        Assert.Equal(
            (served["origin"].GetString(), served["treeSize"].GetInt64(), served["rootHash"].GetString(), served["position"].GetInt64(), served["keyId"].GetString()),
            (checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Position, checkpoint.KeyId));
        var last = export.TrimEnd('\n').Split('\n')[^1].TrimEnd('\r');
        if (csv)
        {
            // As the digest rows: position, rootHash in the digest column, signature and keyId; the other members as JSON in data.
            Assert.StartsWith($"checkpoint,{checkpoint.Position},,,,,,,\"{{\"\"origin\"\":", last, StringComparison.Ordinal);
            Assert.EndsWith($",,,{checkpoint.RootHash},{checkpoint.Signature},{checkpoint.KeyId},", last, StringComparison.Ordinal);
        }
        else
        {
            using var json = System.Text.Json.JsonDocument.Parse(last);
            Assert.Equal(
                ["record", "origin", "treeSize", "rootHash", "position", "timestamp", "keyId", "signature", "cosignatures"],
                json.RootElement.EnumerateObject().Select(p => p.Name).ToList());
            Assert.Equal("checkpoint", json.RootElement.GetProperty("record").GetString());
        }
    }

    [Fact]
    public async Task an_export_of_no_events_ends_with_the_checkpoint_of_the_empty_tree()
    {
        await ExportAsync();

        var report = Verify(await ExportTextAsync("?asOf=2000-01-01"), csv: false, await PublicKeyAsync());

        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.Equal((0L, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0L),
            (report.Checkpoint!.TreeSize, report.Checkpoint.RootHash, report.Checkpoint.Position));
    }

    [Fact]
    public async Task verify_export_fails_naming_the_reason_for_an_altered_leaf_a_wrong_checkpoint_signature_or_too_few_cosignatures()
    {
        var export = await ExportAsync();
        var key = await PublicKeyAsync();
        var lines = export.TrimEnd('\n').Split('\n');
        var lastEvent = Array.FindLastIndex(lines, l => l.StartsWith("{\"record\":\"event\"", StringComparison.Ordinal));
        var hash = System.Text.Json.Nodes.JsonNode.Parse(lines[lastEvent])!["hash"]!.GetValue<string>();
        var checkpoint = System.Text.Json.Nodes.JsonNode.Parse(lines[^1])!.AsObject();
        var signature = Convert.FromBase64String(checkpoint["signature"]!.GetValue<string>());
        signature[7] ^= 1;
        checkpoint["signature"] = Convert.ToBase64String(signature);
        var withoutCheckpoint = string.Join('\n', lines[..^1]) + "\n";

        var leaf = Verify(export.Replace(hash, new string('a', 64), StringComparison.Ordinal), csv: false, key);
        var forged = Verify(string.Join('\n', [.. lines[..^1], checkpoint.ToJsonString()]) + "\n", csv: false, key);
        var unwitnessed = ExportVerifier.Verify(() => new StringReader(export), false, key, [], minCosignatures: 1);
        var older = Verify(withoutCheckpoint, csv: false, key);
        var olderWitnessed = ExportVerifier.Verify(() => new StringReader(withoutCheckpoint), false, key, [], minCosignatures: 1);

        Assert.Contains(leaf.Failures, f => f.StartsWith("the Merkle root of the exported events is", StringComparison.Ordinal));
        Assert.Contains(forged.Failures, f => f.StartsWith("the checkpoint record's signature does not verify with key", StringComparison.Ordinal));
        Assert.Equal(["0 of the given witnesses cosigned the checkpoint record or the consistency record; at least 1 required"], unwitnessed.Failures);
        // An export written before it carried a checkpoint still verifies, but cannot meet a cosignature requirement.
        Assert.True(older.Verified, string.Join("\n", older.Failures));
        Assert.Null(older.Checkpoint);
        Assert.Contains(olderWitnessed.Failures, f => f.StartsWith("the export has no checkpoint record", StringComparison.Ordinal));
    }

    [Fact]
    public async Task an_unknown_format_is_400()
    {
        var answer = await ledger.Host.GetAsync("/audit/export?format=xml", 400);
        Assert.True(answer["errors"].TryGetProperty("format", out _));
    }

    [Fact]
    public async Task the_verify_export_command_checks_a_file_without_a_database()
    {
        var file = Path.Combine(_folder, "ledger.ndjson");
        var pem = Path.Combine(_folder, "key.pem");
        var export = await ExportAsync();
        await File.WriteAllTextAsync(file, export);
        await File.WriteAllTextAsync(pem, (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString());

        var (good, goodOutput) = await RunVerifyExportAsync(file, pem);
        await File.WriteAllTextAsync(file, OneByteEdit(export));
        var (bad, badOutput) = await RunVerifyExportAsync(file, pem);

        Assert.Equal(0, good);
        Assert.StartsWith("VERIFIED", goodOutput);
        Assert.Equal(1, bad);
        Assert.StartsWith("NOT VERIFIED", badOutput);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Changes one character inside the first signature's place ("Tokyo" becomes "Tokyp").</summary>
    private static string OneByteEdit(string export)
    {
        var at = export.IndexOf("Tokyo", StringComparison.Ordinal);
        Assert.True(at >= 0);
        return string.Concat(export.AsSpan(0, at + 4), "p", export.AsSpan(at + 5));
    }

    private static async Task<(int ExitCode, string Output)> RunVerifyExportAsync(string file, string pem)
    {
        var (exit, output, error) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", pem);
        return (exit, output + error);
    }
}
