using System.Security.Cryptography;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Audit;

/// <summary>
/// <c>verify-proof</c> (docs/audit.md, "Transparency log"): one event's inclusion proof and a checkpoint,
/// fetched from the service, checked offline with only public keys; every way the files or the keys
/// can be wrong fails, and bad usage is 2.
/// </summary>
[Collection(TransparencyCollection.Name)]
public sealed class VerifyProofTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("verify-proof-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An event in the tree, the proof of it and the checkpoint of the tree's size, as files; the event's hash.</summary>
    private async Task<(string Proof, string Checkpoint, string Key, string EventHash)> FilesAsync()
    {
        var id = Given.NewId("proof");
        await ledger.Host.SignedAsync(id, "JP", "IT");
        await ledger.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var size = (await ledger.Host.Services.GetRequiredService<MerkleStore>().HeadAsync(null, null, CancellationToken.None)).Size;
        await using var connection = new Npgsql.NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var read = new Npgsql.NpgsqlCommand("select seq_id, headers ->> 'hash' from ledger.mt_events where stream_id = @id and version = 1", connection);
        read.Parameters.AddWithValue("id", id);
        await using var row = await read.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        var (position, eventHash) = (row.GetInt64(0), row.GetString(1));
        var proof = await ledger.Host.GetAsync($"/audit/proofs/inclusion?position={position}&treeSize={size}");
        var checkpoint = await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={size}");
        var key = (await ledger.Host.GetAsync("/audit/public-key"))["keys"].EnumerateArray().First().GetProperty("pem").GetString()!;
        return (Write("proof.json", proof.Text), Write("checkpoint.json", checkpoint.Text), Write("key.pem", key), eventHash);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var exit = await VerifyProofCommandLine.RunAsync(args, output);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task a_proof_from_the_service_verifies_against_its_checkpoint_with_the_public_key_alone()
    {
        var (proof, checkpoint, key, eventHash) = await FilesAsync();

        var (exit, output) = await RunAsync("--proof", proof, "--checkpoint", checkpoint, "--public-key", key, "--event-hash", eventHash);

        Assert.True(exit == 0, output);
        Assert.StartsWith("VERIFIED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_changed_path_another_event_another_key_or_a_missing_cosignature_fails()
    {
        var (proof, checkpoint, key, _) = await FilesAsync();
        var text = File.ReadAllText(proof);
        var path = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("auditPath");
        var otherKey = Write("other.pem", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfoPem());
        var cases = new List<(string Why, string[] Args, string Says)>
        {
            ("another key", ["--proof", proof, "--checkpoint", checkpoint, "--public-key", otherKey], "not among the --public-key keys"),
            ("another event's hash", ["--proof", proof, "--checkpoint", checkpoint, "--public-key", key, "--event-hash", new string('0', 64)], "not the leaf of the event hash"),
            ("a witness required", ["--proof", proof, "--checkpoint", checkpoint, "--public-key", key, "--min-cosignatures", "1"], "at least 1 required"),
        };
        if (path.GetArrayLength() > 0)
        {
            var first = path[0].GetString()!;
            var flipped = (first[0] == '0' ? "1" : "0") + first[1..];
            cases.Add(("a changed audit path", ["--proof", Write("changed.json", text.Replace(first, flipped, StringComparison.Ordinal)), "--checkpoint", checkpoint, "--public-key", key], "does not lead from leaf"));
        }

        var signature = System.Text.Json.JsonDocument.Parse(File.ReadAllText(checkpoint)).RootElement.GetProperty("signature").GetString()!;
        var forged = Convert.ToBase64String(Convert.FromBase64String(signature).Select((b, i) => i == 5 ? (byte)(b ^ 1) : b).ToArray());
        cases.Add(("a forged checkpoint signature", ["--proof", proof, "--checkpoint", Write("forged.json", File.ReadAllText(checkpoint).Replace(signature, forged, StringComparison.Ordinal)), "--public-key", key], "signature does not verify"));

        foreach (var (why, args, says) in cases)
        {
            var (exit, output) = await RunAsync(args);
            Assert.True(exit == 1, $"{why}: {output}");
            Assert.StartsWith("NOT VERIFIED", output, StringComparison.Ordinal);
            Assert.Contains(says, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task bad_usage_is_2_and_a_file_that_is_not_a_proof_fails()
    {
        var (proof, checkpoint, key, _) = await FilesAsync();

        Assert.Equal(2, (await RunAsync("--proof", proof, "--checkpoint", checkpoint)).Exit);
        Assert.Equal(2, (await RunAsync("--proof", proof, "--checkpoint", checkpoint, "--public-keys", key)).Exit);
        Assert.Equal(2, (await RunAsync("--proof", proof, "--checkpoint", checkpoint, "--public-key", key, "--min-cosignatures", "many")).Exit);
        Assert.Equal(2, (await RunAsync("--proof", proof, "--checkpoint", checkpoint, "--public-key", Write("not-a-key.pem", "hello"))).Exit);
        var (exit, output) = await RunAsync("--proof", Write("garbage.json", "{\"nope\": 1"), "--checkpoint", checkpoint, "--public-key", key);
        Assert.Equal(1, exit);
        Assert.StartsWith("NOT VERIFIED", output, StringComparison.Ordinal);
    }
}
