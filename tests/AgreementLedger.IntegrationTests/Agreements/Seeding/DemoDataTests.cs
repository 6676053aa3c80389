using System.Text.Json;
using AgreementLedger.Ledger;
using Alba;
using AgreementLedger.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Wolverine;

namespace AgreementLedger.IntegrationTests.Agreements.Seeding;

/// <summary>The embedded default's first start loads the seed reports' agreements, and never twice.</summary>
public sealed class DemoDataTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-embedded-{Guid.NewGuid():N}");

    [Fact]
    public async Task the_first_start_of_the_embedded_default_loads_the_demo_agreements_once()
    {
        Dictionary<string, JsonElement> first;
        LocalPostgresCluster cluster;
        string keyId;
        await using (var host = await StartEmbeddedAsync())
        {
            cluster = host.Services.GetRequiredService<LocalPostgresCluster>();
            first = await ListAsync(host);

            Assert.Equal(
                new Dictionary<string, string>
                {
                    ["eu-japan-security-defence-partnership"] = "Proposed",
                    ["eu-south-korea-security-defence-partnership"] = "Proposed",
                    ["eu-norway-security-defence-partnership"] = "Signed",
                    ["gcap-treaty"] = "Signed",
                    ["us-japan-defence-industrial-forum"] = "Negotiating",
                    ["russia-north-korea-comprehensive-strategic-partnership"] = "Signed",
                    ["japan-us-philippines-defence-cooperation"] = "Proposed",
                    ["south-china-sea-maritime-exercise-2024-06"] = "Proposed",
                },
                first.ToDictionary(a => a.Key, a => a.Value.GetProperty("status").GetString()!));

            var japan = await Answer.From(await host.Scenario(s => s.Get.Url("/agreements/eu-japan-security-defence-partnership")));
            var target = japan["targets"][0];
            Assert.Equal("Signed", target.GetProperty("milestone").GetString());
            Assert.Equal("2024-12-31", target.GetProperty("targetDate").GetString());
            Assert.Contains("non-proliferation", japan["areas"].EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(["Nikkei", "Reuters"], japan["sources"].EnumerateArray().Select(s => s.GetProperty("publisher").GetString()));

            var gcap = await Answer.From(await host.Scenario(s => s.Get.Url("/agreements/gcap-treaty")));
            Assert.Equal("2023-12-01", gcap["signedOn"].GetString());
            Assert.Equal("next-generation-fighter", gcap["deliverables"][0].GetProperty("deliverableId").GetString());
            Assert.Contains("only the month is known", gcap["sources"][0].GetProperty("note").GetString());

            var rokp = await Answer.From(await host.Scenario(s => s.Get.Url("/agreements/russia-north-korea-comprehensive-strategic-partnership")));
            Assert.Equal("2024-06-19", rokp["signedOn"].GetString());

            await AssertChainsVerifyAsync(host, first.Keys);

            // Development without authentication: requests run as the local admin, recorded as "local".
            await host.Scenario(s =>
            {
                s.Post.Json(new { id = "open-mode-check", title = "T", kind = "other", parties = new[] { "JP" }, areas = Array.Empty<string>() }).ToUrl("/agreements");
                s.StatusCodeShouldBe(201);
            });
            var entry = (await Answer.From(await host.Scenario(s => s.Get.Url("/agreements/open-mode-check/timeline"))))["entries"][0];
            Assert.Equal("local", entry.GetProperty("recordedBy").GetString());
            keyId = (await Answer.From(await host.Scenario(s => s.Get.Url("/audit/public-key"))))["keys"][0].GetProperty("keyId").GetString()!;
        }

        // Alba's dispose can return before the host's hosted services have stopped the cluster:
        // wait for that stop (the service process itself always does, before it exits).
        await cluster.StopAsync();
        await using (var restarted = await StartEmbeddedAsync())
        {
            var second = await ListAsync(restarted);
            Assert.Equal(first.Keys.Append("open-mode-check").Order(), second.Keys.Order());
            Assert.All(first, a => Assert.Equal(a.Value.GetProperty("version").GetInt64(), second[a.Key].GetProperty("version").GetInt64()));

            // Once it serves, the restarted node keeps the states of the agreements written last, though it has
            // committed nothing yet: a first command on each decides without reading it.
            var states = restarted.Services.GetRequiredService<AgreementLedger.Agreements.AgreementStates>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!states.TryGet("gcap-treaty", out _) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.All(second, a =>
            {
                Assert.True(states.TryGet(a.Key, out var kept), $"{a.Key} is not kept");
                Assert.Equal(a.Value.GetProperty("version").GetInt64(), kept.Version);
            });

            // The embedded default keeps its digest signing key in its private folder.
            var again = await Answer.From(await restarted.Scenario(s => s.Get.Url("/audit/public-key")));
            Assert.Equal(keyId, again["keys"][0].GetProperty("keyId").GetString());
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<IAlbaHost> StartEmbeddedAsync() => AlbaHost.For<Program>(builder =>
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Ledger:Database:DataDirectory", _root);
        builder.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.AddTransient<IStartupFilter, LoopbackRemoteAddress>();
        });
    });

    private static async Task<Dictionary<string, JsonElement>> ListAsync(IAlbaHost host)
    {
        var list = await Answer.From(await host.Scenario(s => s.Get.Url("/agreements?limit=100")));
        return list["items"].EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!, i => i.Clone());
    }

    private static async Task AssertChainsVerifyAsync(IAlbaHost host, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            var timeline = await Answer.From(await host.Scenario(s => s.Get.Url($"/agreements/{id}/timeline")));
            var previous = EventHash.Genesis;
            foreach (var entry in timeline["entries"].EnumerateArray().OrderBy(e => e.GetProperty("version").GetInt64()))
            {
                Assert.Equal("seed", entry.GetProperty("recordedBy").GetString());
                Assert.Equal(previous, entry.GetProperty("previousHash").GetString());
                previous = entry.GetProperty("hash").GetString()!;
            }
        }
    }
}
