using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.MultiNode;

/// <summary>Three real service processes on one database: the feed and the stream keep their guarantees.</summary>
public sealed class ThreeNodesTests : IAsyncLifetime
{
    private readonly List<ServiceProcess> _nodes = [];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        // The first node creates the schema; the others then start side by side.
        _nodes.Add(await ServiceProcess.StartAsync(_connectionString));
        _nodes.AddRange(await Task.WhenAll(ServiceProcess.StartAsync(_connectionString), ServiceProcess.StartAsync(_connectionString)));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await TestDatabase.DropAsync(_connectionString);
    }

    [Fact]
    public async Task writes_on_every_node_reach_a_consumer_and_a_stream_on_other_nodes_once_and_in_order()
    {
        using var streamTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = await _nodes[2].Client.GetAsync("/events/stream", HttpCompletionOption.ResponseHeadersRead, streamTimeout.Token);
        var lines = new StreamReader(await stream.Content.ReadAsStreamAsync(streamTimeout.Token));
        Assert.StartsWith(":", await lines.ReadLineAsync(streamTimeout.Token));

        var acknowledged = new ConcurrentBag<(string, long)>();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async w =>
        {
            var node = _nodes[w % 3].Client;
            var id = Given.NewId($"node{w}");
            using var proposed = await node.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() });
            Assert.Equal(201, (int)proposed.StatusCode);
            acknowledged.Add((id, 1));
            for (var i = 0; i < 5; i++)
            {
                using var cited = await _nodes[(w + i) % 3].Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = $"P{i}" });
                Assert.Equal(200, (int)cited.StatusCode);
                var body = await cited.Content.ReadFromJsonAsync<JsonElement>();
                acknowledged.Add((id, body.GetProperty("version").GetInt64()));
            }
        }));

        // A consumer that asks a different node for every page.
        var seen = new List<(string Id, long Version, long Position)>();
        long next = 0;
        for (var page = 0; seen.Count < acknowledged.Count && page < 1000; page++)
        {
            var answer = await _nodes[page % 3].Client.GetFromJsonAsync<JsonElement>($"/events?after={next}&limit=7");
            seen.AddRange(answer.GetProperty("events").EnumerateArray().Select(e =>
                (e.GetProperty("agreementId").GetString()!, e.GetProperty("version").GetInt64(), e.GetProperty("position").GetInt64())));
            next = answer.GetProperty("next").GetInt64();
            await Task.Delay(20);
        }

        Assert.Equal(acknowledged.Order(), seen.Select(s => (s.Id, s.Version)).Order());
        Assert.Equal(seen.Select(s => s.Position).Order(), seen.Select(s => s.Position));
        Assert.Equal(seen.Count, seen.Select(s => s.Position).Distinct().Count());

        var streamed = new List<long>();
        while (streamed.Count < acknowledged.Count && await lines.ReadLineAsync(streamTimeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                streamed.Add(long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(seen.Select(s => s.Position), streamed);
    }
}
