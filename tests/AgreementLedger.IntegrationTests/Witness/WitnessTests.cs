using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgreementLedger.Ledger.Signing;
using AgreementLedger.Witness;

namespace AgreementLedger.IntegrationTests.Witness;

/// <summary>
/// The witness command as a real process (docs/api.md, "Witnesses"): every status of its protocol, first contact
/// and trust, durable state across a restart, owner-only files, and one submission at a time.
/// </summary>
public sealed class WitnessTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witness-test-" + Guid.NewGuid().ToString("N"));
    private readonly TestLog _log = new("the ledger");

    private static readonly JsonSerializerOptions Unescaped = new(JsonSerializerOptions.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task first_contact_is_cosigned_and_the_cosignature_verifies_with_the_public_key_and_the_contract_message()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        using var before = await witness.Client.GetAsync("/witness/checkpoint");
        await AssertProblem(before, HttpStatusCode.NotFound, "not-found");

        var submission = _log.Submission(0, 5);
        using var answer = await witness.SubmitAsync(submission);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var cosignature = (await answer.Content.ReadFromJsonAsync<CosignatureJson>())!;
        var key = await witness.PublicKeyAsync();

        Assert.Equal(key.KeyId, cosignature.KeyId);
        Assert.Equal("witness/" + key.KeyId, cosignature.Witness);
        Assert.Equal(Convert.FromBase64String(key.PublicKey), PemKey(key.Pem));
        Assert.Equal(key.KeyId, Es256.KeyIdOf(Convert.FromBase64String(key.PublicKey)));
        Assert.True(CosignatureVerifies(key, cosignature, _log.Origin, 5, _log.Root(5)));
        Assert.False(CosignatureVerifies(key, cosignature, _log.Origin, 5, _log.Root(4)));

        var served = (await witness.Client.GetFromJsonAsync<CheckpointJson>("/witness/checkpoint"))!;
        Assert.Equal(submission.Checkpoint! with { Cosignatures = null }, served with { Cosignatures = null });
        Assert.Equal(cosignature, Assert.Single(served.Cosignatures!));
    }

    [Fact]
    public async Task a_tree_that_grows_with_a_valid_proof_is_cosigned_and_the_same_size_and_root_is_cosigned_again()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 3))).StatusCode);

        foreach (var (from, to) in new[] { (3L, 7L), (7L, 8L), (8L, 21L) })
        {
            using var grown = await witness.SubmitAsync(_log.Submission(from, to, withPublicKey: false));
            Assert.Equal(HttpStatusCode.OK, grown.StatusCode);
        }

        using var first = await witness.SubmitAsync(_log.Submission(21, 21, withPublicKey: false));
        using var again = await witness.SubmitAsync(_log.Submission(21, 21, withPublicKey: false));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(21, (await witness.Client.GetFromJsonAsync<CheckpointJson>("/witness/checkpoint"))!.TreeSize);
    }

    [Fact]
    public async Task another_root_for_its_size_a_wrong_old_size_or_a_smaller_tree_is_refused_with_its_own_tree()
    {
        using var rewritten = _log.Fork(5, "a rewritten history");
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 6))).StatusCode);
        var own = Convert.ToHexStringLower(_log.Root(6));

        // Another root at the size it cosigned, signed with the log's real key.
        await AssertConflict(await witness.SubmitAsync(rewritten.Submission(6, 6)), 6, own);
        // oldSize is not its size, below and above.
        await AssertConflict(await witness.SubmitAsync(_log.Submission(4, 9)), 6, own);
        await AssertConflict(await witness.SubmitAsync(_log.Submission(7, 9)), 6, own);
        // A smaller tree: from its own size, oldSize exceeds the checkpoint's (400); from another, it is not its size (409).
        using var smaller = await witness.SubmitAsync(new WitnessSubmission(_log.Checkpoint(4), 6, [], null));
        var problem = await AssertProblem(smaller, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("oldSize", out _));
        await AssertConflict(await witness.SubmitAsync(_log.Submission(2, 4)), 6, own);
        // First contact of a witness that holds a tree: size 0 is not its size.
        await AssertConflict(await witness.SubmitAsync(_log.Submission(0, 9)), 6, own);

        var served = (await witness.Client.GetFromJsonAsync<CheckpointJson>("/witness/checkpoint"))!;
        Assert.Equal((6, own), (served.TreeSize!.Value, served.RootHash!));
    }

    [Fact]
    public async Task a_proof_that_fails_is_422_and_changes_nothing()
    {
        using var rewritten = _log.Fork(3, "a rewritten history");
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 5))).StatusCode);

        // The rewritten tree's own proof does not lead from the witness's root.
        await AssertProblem(await witness.SubmitAsync(rewritten.Submission(5, 9)), (HttpStatusCode)422, "proof-failed");
        var tampered = _log.Submission(5, 9);
        var flipped = tampered.Proof![0].ToCharArray();
        flipped[0] = flipped[0] == '0' ? '1' : '0';
        await AssertProblem(await witness.SubmitAsync(tampered with { Proof = [new string(flipped), .. tampered.Proof.Skip(1)] }), (HttpStatusCode)422, "proof-failed");
        await AssertProblem(await witness.SubmitAsync(tampered with { Proof = tampered.Proof.Skip(1).ToList() }), (HttpStatusCode)422, "proof-failed");
        await AssertProblem(await witness.SubmitAsync(tampered with { Proof = [] }), (HttpStatusCode)422, "proof-failed");

        var served = (await witness.Client.GetFromJsonAsync<CheckpointJson>("/witness/checkpoint"))!;
        Assert.Equal(5, served.TreeSize);
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(5, 9))).StatusCode);
    }

    [Fact]
    public async Task first_contact_from_a_tree_needs_an_empty_proof()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        var submission = _log.Submission(0, 5) with { Proof = _log.Proof(3, 5) };

        await AssertProblem(await witness.SubmitAsync(submission), (HttpStatusCode)422, "proof-failed");
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 5))).StatusCode);
    }

    [Fact]
    public async Task without_log_keys_the_first_key_whose_signature_verifies_is_pinned_and_no_other_is_trusted_after()
    {
        using var stranger = new TestLog("a stranger", origin: "agreement-ledger/test");
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);

        // No key offered on first contact, a forged signature, a key that is not the checkpoint's: nothing is pinned.
        await AssertProblem(await witness.SubmitAsync(_log.Submission(0, 2, withPublicKey: false)), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        var forged = _log.Submission(0, 2);
        await AssertProblem(await witness.SubmitAsync(forged with { Checkpoint = forged.Checkpoint! with { RootHash = Convert.ToHexStringLower(_log.Root(1)) } }), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        await AssertProblem(await witness.SubmitAsync(forged with { PublicKey = stranger.PublicKey }), HttpStatusCode.Forbidden, "untrusted-checkpoint");

        // The first whose signature verifies is pinned, even though its answer is a 422.
        await AssertProblem(await witness.SubmitAsync(_log.Submission(0, 2) with { Proof = _log.Proof(1, 2) }), (HttpStatusCode)422, "proof-failed");
        await AssertProblem(await witness.SubmitAsync(stranger.Submission(0, 2)), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 2, withPublicKey: false))).StatusCode);
        await witness.DisposeAsync();

        // Pinned durably: after a restart the stranger is still refused.
        await using var restarted = await WitnessProcess.StartAsync(_stateDirectory);
        await AssertProblem(await restarted.SubmitAsync(stranger.Submission(2, 4)), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        Assert.Equal(HttpStatusCode.OK, (await restarted.SubmitAsync(_log.Submission(2, 4, withPublicKey: false))).StatusCode);
    }

    [Fact]
    public async Task with_log_keys_only_those_are_trusted_and_an_offered_key_is_not()
    {
        using var stranger = new TestLog("a stranger", origin: "agreement-ledger/test");
        using var rotated = new TestLog("the ledger");
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory, [_log.PublicKey, rotated.PublicKey]);

        await AssertProblem(await witness.SubmitAsync(stranger.Submission(0, 3)), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        var badSignature = _log.Submission(0, 3);
        await AssertProblem(await witness.SubmitAsync(badSignature with { Checkpoint = badSignature.Checkpoint! with { Signature = stranger.Checkpoint(3).Signature } }), HttpStatusCode.Forbidden, "untrusted-checkpoint");
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 3, withPublicKey: false))).StatusCode);
        // The same tree signed by the other given key (a rotation) grows on.
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(rotated.Submission(3, 5, withPublicKey: false))).StatusCode);
    }

    [Fact]
    public async Task a_restart_keeps_the_key_and_the_state_and_the_files_are_owner_only()
    {
        WitnessPublicKey key;
        string cosigned;
        await using (var witness = await WitnessProcess.StartAsync(_stateDirectory))
        {
            key = await witness.PublicKeyAsync();
            Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 4))).StatusCode);
            cosigned = await witness.Client.GetStringAsync("/witness/checkpoint");
        }

        await using var restarted = await WitnessProcess.StartAsync(_stateDirectory);
        Assert.Equal(key, await restarted.PublicKeyAsync());
        Assert.Equal(cosigned, await restarted.Client.GetStringAsync("/witness/checkpoint"));
        await AssertConflict(await restarted.SubmitAsync(_log.Submission(0, 6)), 4, Convert.ToHexStringLower(_log.Root(4)));
        Assert.Equal(HttpStatusCode.OK, (await restarted.SubmitAsync(_log.Submission(4, 6))).StatusCode);

        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in new[] { WitnessKey.FileName, WitnessStateFile.FileName })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_stateDirectory, file)));
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_stateDirectory));
        }
    }

    [Fact]
    public async Task concurrent_submissions_of_two_roots_for_one_size_cosign_exactly_one()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 4))).StatusCode);

        var current = _log;
        var forks = new List<TestLog>();
        for (var round = 0; round < 5; round++)
        {
            // Two histories that share the witness's tree and differ after it, both with valid proofs from it.
            var from = current.Size;
            var (left, right) = (current.Fork(from, $"left {round}"), current.Fork(from, $"right {round}"));
            forks.AddRange([left, right]);
            var submissions = new[] { left.Submission(from, from + 3, withPublicKey: false), right.Submission(from, from + 3, withPublicKey: false) };

            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => witness.SubmitAsync(submissions[i % 2])));
            var statuses = answers.Select(a => a.StatusCode).ToList();
            foreach (var answer in answers)
            {
                answer.Dispose();
            }

            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
            Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.Conflict));
            var served = (await witness.Client.GetFromJsonAsync<CheckpointJson>("/witness/checkpoint"))!;
            Assert.Equal(from + 3, served.TreeSize);
            current = served.RootHash == submissions[0].Checkpoint!.RootHash ? left : right;
            Assert.Equal(current.Checkpoint(from + 3).RootHash, served.RootHash);
        }

        forks.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task malformed_bodies_are_400_or_413_or_415_problems_never_500()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        // Unescaped, so that the base64 of the key and the signature can be found in the text.
        var valid = JsonSerializer.Serialize(_log.Submission(0, 2), Unescaped);
        var bodies = new[]
        {
            "not json",
            "[]",
            "null",
            "{}",
            """{"checkpoint":{},"oldSize":0,"proof":[]}""",
            valid.Replace("\"oldSize\":0", "\"oldSize\":\"0\"", StringComparison.Ordinal),
            valid.Replace("\"oldSize\":0", "\"oldSize\":-1", StringComparison.Ordinal),
            valid.Replace("\"oldSize\":0", "\"oldSize\":0,\"extra\":1", StringComparison.Ordinal),
            valid.Replace("\"oldSize\":0", "\"oldSize\":0,\"oldSize\":1", StringComparison.Ordinal),
            valid.Replace("\"proof\":[]", "\"proof\":[\"zz\"]", StringComparison.Ordinal),
            valid.Replace("\"proof\":[]", "\"proof\":[1]", StringComparison.Ordinal),
            valid.Replace("\"proof\":[]", "\"proof\":null", StringComparison.Ordinal),
            valid.Replace(_log.KeyId, "KEY", StringComparison.Ordinal),
            valid.Replace(_log.Checkpoint(2).RootHash!, "ab", StringComparison.Ordinal),
            valid.Replace(_log.PublicKey, "bm90IGEga2V5", StringComparison.Ordinal),
            valid.Replace("\"treeSize\":2", "\"treeSize\":1.5", StringComparison.Ordinal),
            valid.Replace("agreement-ledger/test", "two\\nlines", StringComparison.Ordinal),
            valid.Replace("agreement-ledger/test", "", StringComparison.Ordinal),
            valid.Replace("\"signature\":\"", "\"signature\":\"%", StringComparison.Ordinal),
            valid[..^1],
        };

        foreach (var body in bodies)
        {
            using var answer = await witness.Client.PostAsync("/witness/checkpoints", new StringContent(body, Encoding.UTF8, "application/json"));
            var problem = await AssertProblem(answer, HttpStatusCode.BadRequest, "validation", body);
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }

        using var large = await witness.Client.PostAsync("/witness/checkpoints", new StringContent(new string(' ', 1024 * 1024 + 1) + valid, Encoding.UTF8, "application/json"));
        await AssertProblem(large, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        using var text = await witness.Client.PostAsync("/witness/checkpoints", new StringContent(valid, Encoding.UTF8, "text/plain"));
        await AssertProblem(text, HttpStatusCode.UnsupportedMediaType, "validation");
        using var method = await witness.Client.DeleteAsync("/witness/checkpoints");
        await AssertProblem(method, HttpStatusCode.MethodNotAllowed, "validation");
        using var nowhere = await witness.Client.GetAsync("/agreements");
        await AssertProblem(nowhere, HttpStatusCode.NotFound, "not-found");

        // None of that changed anything.
        await AssertProblem(await witness.Client.GetAsync("/witness/checkpoint"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 2))).StatusCode);
    }

    [Fact]
    public async Task a_second_witness_on_the_same_state_directory_and_bad_arguments_are_refused()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);

        var (exit, output) = await WitnessProcess.RunAsync("witness", "--state-dir", _stateDirectory);
        Assert.Equal(2, exit);
        Assert.Contains("in use by another witness", output, StringComparison.Ordinal);

        (exit, output) = await WitnessProcess.RunAsync("witness");
        Assert.Equal(2, exit);
        Assert.Contains("--state-dir is required", output, StringComparison.Ordinal);

        (exit, output) = await WitnessProcess.RunAsync("witness", "--state-dir", _stateDirectory + "-bad", "--log-key", "bm90IGEga2V5");
        Assert.Equal(2, exit);
        Assert.Contains("--log-key", output, StringComparison.Ordinal);

        // A key and a state from different backups.
        await witness.DisposeAsync();
        await using (var other = await WitnessProcess.StartAsync(_stateDirectory + "-other"))
        {
            Assert.Equal(HttpStatusCode.OK, (await other.SubmitAsync(_log.Submission(0, 1))).StatusCode);
        }

        File.Copy(Path.Combine(_stateDirectory + "-other", WitnessStateFile.FileName), Path.Combine(_stateDirectory, WitnessStateFile.FileName), overwrite: true);
        (exit, output) = await WitnessProcess.RunAsync("witness", "--state-dir", _stateDirectory);
        Assert.Equal(2, exit);
        Assert.Contains("from the same backup", output, StringComparison.Ordinal);

        (exit, output) = await WitnessProcess.RunAsync("help");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^\s+witness\s+\S", output);
    }

    [Fact]
    public async Task the_witness_name_is_configurable()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory, environment: new Dictionary<string, string> { ["Witness__Name"] = "example.org/witness" });
        using var answer = await witness.SubmitAsync(_log.Submission(0, 1));
        Assert.Equal("example.org/witness", (await answer.Content.ReadFromJsonAsync<CosignatureJson>())!.Witness);
    }

    [Fact]
    public async Task the_witness_runs_no_marten_no_wolverine_and_no_database_client()
    {
        var source = Path.Combine(AgreementLedger.IntegrationTests.Support.Repository.Root, "src", "AgreementLedger.Api", "Witness");
        var offending = Directory.EnumerateFiles(source, "*.cs")
            .Where(file => System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(file), @"\b(Marten|Wolverine|Npgsql|Weasel)(\.[A-Z]|;)"))
            .Select(Path.GetFileName)
            .ToList();
        Assert.True(offending.Count == 0, "the witness uses Marten, Wolverine or Npgsql in " + string.Join(", ", offending));

        if (OperatingSystem.IsLinux())
        {
            await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
            Assert.Equal(HttpStatusCode.OK, (await witness.SubmitAsync(_log.Submission(0, 3))).StatusCode);
            var loaded = witness.LoadedAssemblies();
            Assert.Contains("AgreementLedger.Api.dll", loaded);
            Assert.DoesNotContain(loaded, name => name.StartsWith("Marten", StringComparison.Ordinal)
                || name.StartsWith("Wolverine", StringComparison.Ordinal) || name.StartsWith("Npgsql", StringComparison.Ordinal) || name.StartsWith("Weasel", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void the_contract_names_the_witness_problem_types()
    {
        var contract = File.ReadAllText(Path.Combine(AgreementLedger.IntegrationTests.Support.Repository.Root, "docs", "api.md"));
        foreach (var code in new[] { WitnessProblems.UntrustedCheckpoint, WitnessProblems.WitnessConflict, WitnessProblems.ProofFailed })
        {
            Assert.Contains($"`/problems/{code}`", contract, StringComparison.Ordinal);
        }
    }

    private static bool CosignatureVerifies(WitnessPublicKey key, CosignatureJson cosignature, string origin, long size, byte[] root)
    {
        var seconds = DateTimeOffset.Parse(cosignature.Timestamp!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", cosignature.Timestamp!);
        var message = Encoding.UTF8.GetBytes($"cosignature/v1\ntime {seconds}\n{origin}\n{size}\n{Convert.ToBase64String(root)}\n");
        return Es256.Verify(Convert.FromBase64String(key.PublicKey), message, cosignature.Signature!);
    }

    private static byte[] PemKey(string pem)
    {
        var fields = System.Security.Cryptography.PemEncoding.Find(pem);
        Assert.Equal("PUBLIC KEY", pem[fields.Label]);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private static async Task AssertConflict(HttpResponseMessage answer, long treeSize, string rootHash)
    {
        using (answer)
        {
            var problem = await AssertProblem(answer, HttpStatusCode.Conflict, "witness-conflict");
            Assert.Equal(treeSize, problem.GetProperty("treeSize").GetInt64());
            Assert.Equal(rootHash, problem.GetProperty("rootHash").GetString());
        }
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage answer, HttpStatusCode status, string type, string? what = null)
    {
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == status, $"{what}: expected {status}, got {answer.StatusCode}: {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("/problems/" + type, problem.GetProperty("type").GetString());
        return problem;
    }

    public void Dispose()
    {
        _log.Dispose();
        foreach (var directory in new[] { _stateDirectory, _stateDirectory + "-other", _stateDirectory + "-bad" })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
