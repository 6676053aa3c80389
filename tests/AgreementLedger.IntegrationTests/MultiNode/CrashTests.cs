using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.MultiNode;

/// <summary>The service killed with SIGKILL in the middle of concurrent writes loses no acknowledged event.</summary>
public sealed class CrashTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await TestDatabase.DropAsync(_connectionString);

    [Fact]
    public async Task every_acknowledged_write_survives_a_kill_mid_load_and_the_chains_verify()
    {
        var acknowledged = new ConcurrentBag<(string Id, long Version)>();
        await using (var node = await ServiceProcess.StartAsync(_connectionString))
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                var id = Given.NewId($"crash{w}");
                try
                {
                    using var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }, stop.Token);
                    if ((int)proposed.StatusCode != 201)
                    {
                        return;
                    }

                    acknowledged.Add((id, 1));
                    while (!stop.IsCancellationRequested)
                    {
                        using var cited = await node.Client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = "Reuters" }, stop.Token);
                        if (cited.IsSuccessStatusCode)
                        {
                            var body = await cited.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                            acknowledged.Add((id, body.GetProperty("version").GetInt64()));
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    // The process died under the request: not acknowledged, so nothing is promised.
                }
            })).ToArray();

            while (acknowledged.Count < 60)
            {
                await Task.Delay(20);
            }

            node.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        await using var restarted = await ServiceProcess.StartAsync(_connectionString);
        foreach (var group in acknowledged.GroupBy(a => a.Id))
        {
            var state = await restarted.Client.GetFromJsonAsync<JsonElement>($"/agreements/{group.Key}");
            Assert.True(state.GetProperty("version").GetInt64() >= group.Max(a => a.Version), $"{group.Key} lost acknowledged events");
        }

        var report = await restarted.Client.GetFromJsonAsync<JsonElement>("/audit/verify");
        Assert.True(report.GetProperty("verified").GetBoolean(), report.ToString());
        Assert.True(report.GetProperty("eventsChecked").GetInt64() >= acknowledged.Count);
    }
}
