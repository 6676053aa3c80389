using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AgreementLedger.IntegrationTests.MultiNode;

/// <summary>A node killed while delivering a webhook: another node takes the work over where it stopped.</summary>
public sealed class WebhookFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["Ledger__Webhooks__Timeout"] = "00:00:01",
        ["Ledger__Webhooks__PollInterval"] = "00:00:00.100",
        ["Ledger__Webhooks__RetryBase"] = "00:00:00.100",
        ["Ledger__Webhooks__AllowPrivateNetworks"] = "true",
    };

    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await TestDatabase.DropAsync(_connectionString);

    [Fact]
    public async Task a_killed_nodes_deliveries_are_taken_over_in_order()
    {
        var received = new ConcurrentQueue<(long Position, DateTimeOffset At)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext context) =>
        {
            await Task.Delay(200);
            received.Enqueue((long.Parse(context.Request.Headers["Ledger-Event-Position"].ToString(), System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        await receiver.StartAsync();

        await using var first = await ServiceProcess.StartAsync(_connectionString, Fast);
        using (var registered = await first.Client.PostAsJsonAsync("/subscriptions", new { url = receiver.Urls.First() + "/hook", secret = "a-webhook-secret-of-some-length" }))
        {
            Assert.Equal(201, (int)registered.StatusCode);
        }

        var id = Given.NewId("failover");
        using (var proposed = await first.Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }))
        {
            Assert.Equal(201, (int)proposed.StatusCode);
        }

        for (var i = 0; i < 14; i++)
        {
            using var cited = await first.Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = $"P{i}" });
            Assert.Equal(200, (int)cited.StatusCode);
        }

        // The first node is delivering (the only one running); a second joins, then the first dies.
        while (received.Count < 2)
        {
            await Task.Delay(50);
        }

        await using var second = await ServiceProcess.StartAsync(_connectionString, Fast);
        var before = received.Count;
        first.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var deadline = Stopwatch.StartNew();
        while (received.Select(r => r.Position).Distinct().Count() < 15 && deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(50);
        }

        var positions = received.Select(r => r.Position).ToList();
        Assert.Equal(15, positions.Distinct().Count());
        Assert.Equal(positions.Order(), positions);
        // The longest pause in deliveries after the kill is the failover time: the dead node's lease lapsing.
        var times = received.Skip(Math.Max(0, before - 1)).Select(r => r.At).Prepend(killedAt).Order().ToList();
        var failover = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        output.WriteLine($"failover: deliveries paused for {failover.TotalSeconds:F1} s after the kill (lease: 3 delivery timeouts = 3 s)");
        // 3.5 s when run alone; up to 16 s was seen under the whole suite on two cores. The bound says
        // "taken over", not "fast": the figure is reported, the guarantee is no loss and no reordering.
        Assert.True(failover < TimeSpan.FromSeconds(45), $"failover took {failover}");
    }
}
