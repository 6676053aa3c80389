using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgreementLedger.IntegrationTests.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.IntegrationTests.Witness;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Audit.Exporting;

/// <summary>
/// Real processes (issue #18, point 4): a witness and a service node publishing every 200 ms. An export of a size no
/// witness cosigned ends with its checkpoint and a consistency record carrying the newest cosigned checkpoint and the
/// proof to it; both offline checkers (verify-export and docs/verify_export.py) hold it to the witness's key.
/// </summary>
public sealed class WitnessedExportTests : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witnessed-export-" + Guid.NewGuid().ToString("N"));
    private readonly string _folder = Directory.CreateTempSubdirectory("witnessed-export-files-").FullName;
    private ServiceProcess _node = null!;
    private WitnessProcess _witness = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        _witness = await WitnessProcess.StartAsync(_stateDirectory);
        var key = await _witness.PublicKeyAsync();
        _node = await ServiceProcess.StartAsync(_connectionString, new Dictionary<string, string>
        {
            ["Ledger__Audit__DigestInterval"] = "00:00:00.200",
            ["Ledger__Audit__Witnesses__0__Url"] = _witness.Address.ToString(),
            ["Ledger__Audit__Witnesses__0__PublicKey"] = key.PublicKey,
        });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _witness.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(_stateDirectory, recursive: true);
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("csv")]
    public async Task an_export_of_a_size_no_witness_cosigned_carries_the_newest_cosigned_checkpoint_and_verifies_with_the_witness_key(string format)
    {
        var (text, cosigned) = await ExportOfAnUncosignedSizeAsync(format);
        var (logKey, witnessKey) = await KeyFilesAsync();
        var export = await WriteAsync(format, text);

        var witnessed = await ReferenceCheck.BothWithAsync([export, "--public-key", logKey, "--witness-key", witnessKey, "--min-cosignatures", "1"]);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.StartsWith(format == "csv" ? "checkpoint,1," : "{\"record\":\"checkpoint\"", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith(format == "csv" ? "consistency," : "{\"record\":\"consistency\"", lines[^1], StringComparison.Ordinal);
        foreach (var (exit, output) in witnessed)
        {
            Assert.True(exit == 0, output);
            Assert.StartsWith("VERIFIED: 1 events of 1 agreements", output, StringComparison.Ordinal);
            Assert.Contains($", checkpoint of 1 leaves consistent with the one of {cosigned}, 1 cosignatures by the given witnesses", output, StringComparison.Ordinal);
        }

        // The proof's first hash changed, in either format (CSV: inside the JSON of data, its quotes doubled).
        var first = System.Text.RegularExpressions.Regex.Match(lines[^1], "\"proof\"+:\\[\"+([0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(64, first.Length);
        var tampered = await WriteAsync(format, text.Replace(first, FlipHex(first), StringComparison.Ordinal));
        foreach (var (exit, output) in await ReferenceCheck.BothWithAsync([tampered, "--public-key", logKey, "--witness-key", witnessKey]))
        {
            Assert.True(exit == 1, output);
            Assert.Contains("the consistency proof does not show that the tree of", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task both_checkers_fail_naming_a_tampered_cosignature_or_proof_a_forged_signature_too_few_witnesses_or_an_unknown_witness_key()
    {
        var (text, _) = await ExportOfAnUncosignedSizeAsync("ndjson");
        var (logKey, witnessKey) = await KeyFilesAsync();
        var otherKey = Path.Combine(_folder, "other-witness.pem");
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(otherKey, other.ExportSubjectPublicKeyInfoPem());
        }

        var consistency = text.TrimEnd('\n').Split('\n')[^1];
        var record = JsonNode.Parse(consistency)!.AsObject();
        var cosignature = record["cosignatures"]![0]!;
        var (witness, witnessId) = (cosignature["witness"]!.GetValue<string>(), cosignature["keyId"]!.GetValue<string>());
        var export = await WriteAsync("ndjson", text);
        var cases = new List<(string Why, string[] Args, string Says)>
        {
            ("a tampered cosignature", Args(Edit(text, consistency, r => r["cosignatures"]![0]!["signature"] = Flip(r["cosignatures"]![0]!["signature"]!.GetValue<string>())), witnessKey, "1"),
                $"the cosignature of {witness} (key {witnessId}) on the consistency record does not verify"),
            ("a tampered proof", Args(Edit(text, consistency, r => r["proof"]![0] = FlipHex(r["proof"]![0]!.GetValue<string>())), witnessKey, "1"),
                "the consistency proof does not show that the tree of"),
            ("a forged signature of the newer checkpoint", Args(Edit(text, consistency, r => r["signature"] = Flip(r["signature"]!.GetValue<string>())), witnessKey, "1"),
                "the consistency record's signature does not verify with key"),
            ("more witnesses required than cosigned", [export, "--public-key", logKey, "--witness-key", witnessKey, "--min-cosignatures", "2"],
                "1 of the given witnesses cosigned the checkpoint record or the consistency record; at least 2 required"),
            ("only a witness key that did not cosign", [export, "--public-key", logKey, "--witness-key", otherKey, "--min-cosignatures", "1"],
                "0 of the given witnesses cosigned the checkpoint record or the consistency record; at least 1 required"),
        };

        foreach (var (why, args, says) in cases)
        {
            foreach (var (exit, output) in await ReferenceCheck.BothWithAsync(args))
            {
                Assert.True(exit == 1, $"{why}: {output}");
                Assert.StartsWith("NOT VERIFIED", output, StringComparison.Ordinal);
                Assert.True(output.Contains(says, StringComparison.Ordinal), $"{why}: {output}");
            }
        }

        string[] Args(string edited, string witnessPem, string min) =>
            [WriteAsync("ndjson", edited).GetAwaiter().GetResult(), "--public-key", logKey, "--witness-key", witnessPem, "--min-cosignatures", min];
    }

    /// <summary>
    /// Six events, cosigned; then the export as of the first event (a tree of one leaf), after the cosignatures of that
    /// size were deleted, as if the witness had been down when it was published: answers the export and the newest cosigned size.
    /// </summary>
    private async Task<(string Export, long Cosigned)> ExportOfAnUncosignedSizeAsync(string format)
    {
        for (var i = 0; i < 3; i++)
        {
            await WitnessedLedgerTests.RecordAsync(_node, Given.NewId("witnessed-export"));
        }

        await WitnessedLedgerTests.CosignedAsync(_node, atLeast: 6);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var delete = new NpgsqlCommand("delete from ledger.audit_cosignatures where tree_size = 1", connection);
            await delete.ExecuteNonQueryAsync();
        }

        var first = JsonNode.Parse((await _node.Client.GetStringAsync("/audit/export")).Split('\n')[0])!;
        var asOf = first["recordedAt"]!.GetValue<string>();
        var text = await _node.Client.GetStringAsync($"/audit/export?format={format}&asOf={Uri.EscapeDataString(asOf)}");
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var newest = new NpgsqlCommand("select max(tree_size) from ledger.audit_cosignatures", connection);
            return (text, (long)(await newest.ExecuteScalarAsync())!);
        }
    }

    private async Task<(string Log, string Witness)> KeyFilesAsync()
    {
        var log = Path.Combine(_folder, "ledger.pem");
        var witness = Path.Combine(_folder, "witness.pem");
        var keys = await _node.Client.GetFromJsonAsync<JsonElement>("/audit/public-key");
        await File.WriteAllTextAsync(log, keys.GetProperty("keys")[0].GetProperty("pem").GetString());
        await File.WriteAllTextAsync(witness, (await _witness.PublicKeyAsync()).Pem);
        return (log, witness);
    }

    private async Task<string> WriteAsync(string format, string text)
    {
        var file = Path.Combine(_folder, $"export-{Guid.NewGuid():N}.{format}");
        await File.WriteAllTextAsync(file, text);
        return file;
    }

    /// <summary>The export with one NDJSON record changed by <paramref name="edit"/>.</summary>
    private static string Edit(string text, string line, Action<JsonObject> edit)
    {
        var record = JsonNode.Parse(line)!.AsObject();
        edit(record);
        return text.Replace(line, record.ToJsonString(), StringComparison.Ordinal);
    }

    private static string Flip(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[7] ^= 1;
        return Convert.ToBase64String(bytes);
    }

    private static string FlipHex(string hex) => (hex[0] == '0' ? "1" : "0") + hex[1..];
}
