using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.IntegrationTests.Witness;
using AgreementLedger.Ledger.Signing;
using AgreementLedger.Witness;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Audit.Transparency;

/// <summary>
/// Real processes (issue #18, point 3): a witness and two service nodes on one database, publishing every 200 ms.
/// Every new checkpoint goes to the witness before it is kept, and GET /audit/checkpoint serves its cosignature; a
/// database writer who rewrites the history and deletes the kept digests and checkpoints gets nothing signed.
/// </summary>
public sealed class WitnessedLedgerTests : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witnessed-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly List<ServiceProcess> _nodes = [];
    private WitnessProcess _witness = null!;
    private string _connectionString = "";
    private readonly string _first = Given.NewId("rewritten");

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        _witness = await WitnessProcess.StartAsync(_stateDirectory);
        var key = await _witness.PublicKeyAsync();
        var settings = new Dictionary<string, string>
        {
            ["Ledger__Audit__DigestInterval"] = "00:00:00.200",
            ["Ledger__Audit__Witnesses__0__Url"] = _witness.Address.ToString(),
            ["Ledger__Audit__Witnesses__0__PublicKey"] = key.PublicKey,
        };
        // The first node creates the schema; the second then starts beside it.
        _nodes.Add(await ServiceProcess.StartAsync(_connectionString, settings));
        _nodes.Add(await ServiceProcess.StartAsync(_connectionString, settings));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _witness.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(_stateDirectory, recursive: true);
    }

    [Fact]
    public async Task every_new_checkpoint_is_cosigned_by_the_witness_and_served_with_its_cosignature()
    {
        var witnessKey = await _witness.PublicKeyAsync();
        for (var i = 0; i < 4; i++)
        {
            await RecordAsync(_nodes[i % 2], Given.NewId("witnessed"));
        }

        var served = await CosignedAsync(_nodes[1], atLeast: 8);
        var cosignature = Assert.Single(served.GetProperty("cosignatures").EnumerateArray());
        Assert.Equal(witnessKey.KeyId, cosignature.GetProperty("keyId").GetString());
        var configured = new ConfiguredWitness(_witness.Address, Convert.FromBase64String(witnessKey.PublicKey));
        var json = cosignature.Deserialize<CosignatureJson>(JsonSerializerOptions.Web)!;
        Assert.True(WitnessCosigner.Verifies(
            configured, json, served.GetProperty("origin").GetString()!, served.GetProperty("treeSize").GetInt64(), Convert.FromHexString(served.GetProperty("rootHash").GetString()!)));

        // The witness holds the service's newest tree (or one that extends it, published since).
        var held = (await _witness.Client.GetFromJsonAsync<JsonElement>("/witness/checkpoint"))!;
        Assert.True(held.GetProperty("treeSize").GetInt64() >= served.GetProperty("treeSize").GetInt64());
    }

    [Fact]
    public async Task a_history_rewritten_with_the_kept_digests_and_checkpoints_deleted_diverges_and_nothing_new_is_signed()
    {
        for (var i = 0; i < 4; i++)
        {
            await RecordAsync(_nodes[i % 2], i == 0 ? _first : Given.NewId("rewritten"));
        }

        var cosigned = await CosignedAsync(_nodes[0], atLeast: 8);
        await Task.Delay(500); // let both nodes finish the round they are in
        var held = (await _witness.Client.GetFromJsonAsync<JsonElement>("/witness/checkpoint"))!;
        var (heldSize, heldRoot) = (held.GetProperty("treeSize").GetInt64(), held.GetProperty("rootHash").GetString()!);

        // The database's writer rewrites the first agreement's second event and its chain, then the stored tree from the
        // events' new hashes, all consistently, and deletes what was kept, in one transaction: every check on the stored
        // data alone passes, and only the witness's checkpoint can tell.
        var forgedRoot = await new DatabaseWriter(_connectionString).RewriteHistoryAsync(_first, version: 2, "data = jsonb_set(data, '{publisher}', '\"Forged\"')", heldSize);
        Assert.NotEqual(heldRoot, Convert.ToHexStringLower(forgedRoot));
        // Refused at the first request after the rewrite, on both nodes: each remembers the witness's checkpoint and holds
        // the stored tree against it before it signs anything (no waiting for the next publishing round).
        foreach (var node in _nodes)
        {
            foreach (var route in new[] { "/audit/checkpoint", "/audit/digest", "/audit/export" })
            {
                var problem = await DivergedAsync(node, route);
                Assert.Equal(heldSize, problem.GetProperty("treeSize").GetInt64());
                Assert.Equal(heldRoot, problem.GetProperty("rootHash").GetString());
                Assert.Contains(_witness.Address.ToString(), problem.GetProperty("signedBy").GetString(), StringComparison.Ordinal);
            }
        }

        // What either node's keepers signed between the writer's steps (a digest of the rewritten chain, say) is all there will be.
        Assert.True(await CountAsync("audit_divergences") > 0);
        var (checkpoints, digests) = (await CountAsync("audit_checkpoints"), await CountAsync("audit_digests"));
        foreach (var node in _nodes)
        {
            // The chains and the tree agree with the events: the one failure is the witness's checkpoint, named.
            var verify = await node.Client.GetFromJsonAsync<JsonElement>("/audit/verify");
            Assert.False(verify.GetProperty("verified").GetBoolean());
            var failure = Assert.Single(verify.GetProperty("failures").EnumerateArray());
            Assert.Contains(heldRoot, failure.GetProperty("reason").GetString()!, StringComparison.Ordinal);
            var health = await node.Client.GetStringAsync("/health/details");
            Assert.Contains("History diverged", health, StringComparison.Ordinal);
        }

        // The witness refuses the forged checkpoint, even signed with the service's real key.
        var origin = cosigned.GetProperty("origin").GetString()!;
        var body = CheckpointMessages.Body(origin, heldSize, forgedRoot);
        var forged = new CheckpointJson(origin, heldSize, Convert.ToHexStringLower(forgedRoot), 0, "2026-12-01T00:00:00Z", cosigned.GetProperty("keyId").GetString(),
            Convert.ToBase64String(TestAuditKey.Key.SignData(body, System.Security.Cryptography.HashAlgorithmName.SHA256)), []);
        using var refused = await _witness.SubmitAsync(new WitnessSubmission(forged, heldSize, [], null));
        Assert.Equal(409, (int)refused.StatusCode);

        // Commands go on; nothing new is signed, by either node.
        await RecordAsync(_nodes[1], Given.NewId("after"));
        await Task.Delay(1500);
        Assert.Equal(0L, checkpoints);
        Assert.Equal((checkpoints, digests), (await CountAsync("audit_checkpoints"), await CountAsync("audit_digests")));
        Assert.Equal(heldSize, (await _witness.Client.GetFromJsonAsync<JsonElement>("/witness/checkpoint")).GetProperty("treeSize").GetInt64());
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from ledger.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The 503 /problems/history-diverged <paramref name="route"/> answers, with its Retry-After.</summary>
    private static async Task<JsonElement> DivergedAsync(ServiceProcess node, string route)
    {
        using var answer = await node.Client.GetAsync(route);
        Assert.True((int)answer.StatusCode == 503, $"{route} answered {(int)answer.StatusCode}, not 503 history-diverged");
        Assert.NotNull(answer.Headers.RetryAfter);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/history-diverged", problem.GetProperty("type").GetString());
        return problem;
    }

    /// <summary>An agreement proposed and one source cited: two events.</summary>
    internal static async Task RecordAsync(ServiceProcess node, string id)
    {
        using var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() });
        Assert.Equal(201, (int)proposed.StatusCode);
        using var cited = await node.Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = "P" });
        Assert.Equal(200, (int)cited.StatusCode);
    }

    /// <summary>The newest checkpoint once it holds at least <paramref name="atLeast"/> events and carries a cosignature.</summary>
    internal static async Task<JsonElement> CosignedAsync(ServiceProcess node, long atLeast)
    {
        for (var tries = 0; ; tries++)
        {
            var newest = await node.Client.GetFromJsonAsync<JsonElement>("/audit/checkpoint");
            if (newest.GetProperty("treeSize").GetInt64() >= atLeast && newest.GetProperty("cosignatures").GetArrayLength() > 0)
            {
                return newest;
            }

            Assert.True(tries < 300, $"no cosigned checkpoint of {atLeast} events within 30 s; newest: {newest}");
            await Task.Delay(100);
        }
    }
}
