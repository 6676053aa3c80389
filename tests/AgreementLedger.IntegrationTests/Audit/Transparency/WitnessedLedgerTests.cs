using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.IntegrationTests.Witness;
using AgreementLedger.Witness;

namespace AgreementLedger.IntegrationTests.Audit.Transparency;

/// <summary>
/// Real processes (issue #18, point 3): a witness and two service nodes on one database, publishing every 200 ms.
/// Every new checkpoint goes to the witness before it is kept, and GET /audit/checkpoint serves its cosignature.
/// </summary>
public sealed class WitnessedLedgerTests : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witnessed-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly List<ServiceProcess> _nodes = [];
    private WitnessProcess _witness = null!;
    private string _connectionString = "";

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

    /// <summary>An agreement proposed and one source cited: two events.</summary>
    private static async Task RecordAsync(ServiceProcess node, string id)
    {
        using var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() });
        Assert.Equal(201, (int)proposed.StatusCode);
        using var cited = await node.Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = "P" });
        Assert.Equal(200, (int)cited.StatusCode);
    }

    /// <summary>The newest checkpoint once it holds at least <paramref name="atLeast"/> events and carries a cosignature.</summary>
    private static async Task<JsonElement> CosignedAsync(ServiceProcess node, long atLeast)
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
