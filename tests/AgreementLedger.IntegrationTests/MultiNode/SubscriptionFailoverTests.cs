using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Subscriptions;
using AgreementLedger.IntegrationTests.Subscriptions.Integration;
using AgreementLedger.IntegrationTests.Support;
using Xunit.Abstractions;

namespace AgreementLedger.IntegrationTests.MultiNode;

/// <summary>
/// Three nodes on one database; the integration-event relay (a Marten event subscription) runs on
/// exactly one of them, assigned by Wolverine's leader through PostgreSQL. Killing that node moves
/// the relay to a survivor, which resumes where the dead one stopped: nothing is lost.
/// </summary>
public sealed class SubscriptionFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["Ledger__Cluster__HealthCheckInterval"] = "00:00:00.500",
        ["Ledger__Cluster__StaleNodeTimeout"] = "00:00:03",
        ["Ledger__Cluster__CheckAssignmentPeriod"] = "00:00:01",
    };

    private readonly System.Collections.Concurrent.ConcurrentQueue<AgreementLedger.Subscriptions.FeedEvent> _received = new();
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await TestDatabase.DropAsync(_connectionString);

    [Fact]
    public async Task a_killed_nodes_relay_is_taken_over_and_resumes_without_loss()
    {
        await using var a = await ServiceProcess.StartAsync(_connectionString, Fast);
        await using var b = await ServiceProcess.StartAsync(_connectionString, Fast);
        await using var c = await ServiceProcess.StartAsync(_connectionString, Fast);
        ServiceProcess[] nodes = [a, b, c];
        using var downstream = await Downstream.StartAsync(_connectionString, _received);

        var holder = await SoleHolderAsync(nodes, exclude: null);
        var survivors = nodes.Where(n => n != holder).ToArray();

        var id = Given.NewId("relay");
        using (var proposed = await survivors[0].Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }))
        {
            Assert.Equal(201, (int)proposed.StatusCode);
        }

        await CiteAsync(survivors, id, 9);
        Assert.True(await QueuedAsync(10, TimeSpan.FromSeconds(60)), "the first ten events never reached the queue");

        holder.Kill();
        var killedAt = Stopwatch.StartNew();
        await CiteAsync(survivors, id, 10);
        Assert.True(await QueuedAsync(20, TimeSpan.FromSeconds(120)), "events recorded after the kill never reached the queue");
        var failover = killedAt.Elapsed;

        var positions = QueuedPositions();
        Assert.Equal(Enumerable.Range(1, 20).Select(p => (long)p), positions.Distinct().Order());
        var taker = await SoleHolderAsync(survivors, exclude: holder);
        output.WriteLine($"relay failover: kill to every later event queued in {failover.TotalSeconds:F1} s " +
                         $"(stale-node timeout 3 s, health checks every 0.5 s); {positions.Count - 20} repeat(s) queued; taken over by {taker.Address}");
    }

    private static async Task CiteAsync(ServiceProcess[] via, string id, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var cited = await via[i % via.Length].Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = $"P{i}" });
            Assert.Equal(200, (int)cited.StatusCode);
        }
    }

    /// <summary>The one node whose readiness details list the relay as running there, the same twice in a row.</summary>
    private static async Task<ServiceProcess> SoleHolderAsync(ServiceProcess[] nodes, ServiceProcess? exclude)
    {
        ServiceProcess? last = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            var holders = new List<ServiceProcess>();
            foreach (var node in nodes.Where(n => n != exclude))
            {
                using var ready = await node.Client.GetAsync("/health/details");
                using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
                var agents = body.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("data").GetProperty("agentsHere");
                if (agents.EnumerateArray().Any(u => u.GetString()!.Contains("/integration-events/", StringComparison.Ordinal)))
                {
                    holders.Add(node);
                }
            }

            if (holders.Count == 1 && holders[0] == last)
            {
                return last;
            }

            last = holders.Count == 1 ? holders[0] : null;
            await Task.Delay(500);
        }

        throw new TimeoutException("No single node settled as the relay's holder within 90 s.");
    }

    private async Task<bool> QueuedAsync(int count, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (QueuedPositions().Distinct().Count() >= count)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Positions of the integration messages a downstream service took from the PostgreSQL queue.</summary>
    private List<long> QueuedPositions() => _received.Select(e => e.Position).ToList();
}
