using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements.Rebuilding;

[CollectionDefinition(Name)]
public sealed class OnlineRebuildCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "online-rebuild";
}

/// <summary><c>rebuild-snapshots</c> run by an operator as its own process while the API keeps taking commands.</summary>
[Collection(OnlineRebuildCollection.Name)]
public sealed class OnlineRebuildTests(LedgerHost ledger)
{
    [Fact]
    public async Task the_rebuild_command_runs_while_commands_keep_succeeding_and_leaves_every_snapshot_equal_to_its_events()
    {
        var ids = Enumerable.Range(0, 40).Select(_ => Given.NewId("online")).ToList();
        foreach (var id in ids)
        {
            await ledger.Host.ProposedAsync(id, "JP", "KR");
            await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", location = "Seoul" }, 200);
        }

        // Damage a few snapshots so that the rebuild has something to repair.
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set data = jsonb_set(data, '{title}', '\"damaged\"') where id = any($1)", (object)ids.Take(5).ToArray());

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var accepted = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var id = ids[random.Next(5, ids.Count)];
                var answer = await ledger.Host.Scenario(s =>
                {
                    s.Post.Json(new { publisher = "Yonhap", publishedOn = "2024-02-02" }).ToUrl($"/agreements/{id}/sources");
                    s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                    s.IgnoreStatusCode();
                });
                if (answer.Context.Response.StatusCode == 200)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    lock (failures)
                    {
                        failures.Add($"{id}: {answer.Context.Response.StatusCode}");
                    }
                }
            }
        })).ToList();

        var (exit, output, error) = await ServiceCommand.RunAsync(ServiceCommand.Environment(ledger.ConnectionString), "rebuild-snapshots");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(exit == 0, output + error);
        Assert.Contains("Rebuilt", output, StringComparison.Ordinal);
        Assert.Empty(failures);
        Assert.True(accepted > 0);
        foreach (var id in ids)
        {
            var snapshot = await ledger.Host.GetAsync($"/agreements/{id}");
            var folded = await ledger.Host.GetAsync($"/agreements/{id}?version={snapshot["version"].GetInt64()}");
            Assert.Equal(folded.Text, snapshot.Text);
            Assert.NotEqual("damaged", snapshot["title"].GetString());
        }
    }

    /// <summary>
    /// Marten's own <c>projections rebuild</c>, run as an operator would, used to delete every snapshot
    /// and write them back page by page: meanwhile agreements answered 404, and commands chained their
    /// events from stale snapshots, breaking the hash chains for good (seen: 1,524 of 4,607 answers
    /// 404, 35 of 40 snapshots wrong, /audit/verify failing). It now runs the safe rebuild.
    /// </summary>
    [Fact]
    public async Task martens_projections_rebuild_runs_the_safe_rebuild_while_reads_and_commands_keep_succeeding()
    {
        var ids = Enumerable.Range(0, 30).Select(_ => Given.NewId("marten-rebuild")).ToList();
        foreach (var id in ids)
        {
            await ledger.Host.ProposedAsync(id, "JP", "KR");
            for (var i = 0; i < 20; i++)
            {
                await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Yonhap", publishedOn = "2024-02-02" }, 200);
            }
        }

        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        var clients = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var id = ids[random.Next(ids.Count)];
                var answer = await ledger.Host.Scenario(s =>
                {
                    if (w % 2 == 0)
                    {
                        s.Get.Url($"/agreements/{id}");
                    }
                    else
                    {
                        s.Post.Json(new { publisher = "Yonhap", publishedOn = "2024-02-03" }).ToUrl($"/agreements/{id}/sources");
                    }

                    s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                    s.IgnoreStatusCode();
                });
                answers.Add($"{(w % 2 == 0 ? "GET" : "POST")} {answer.Context.Response.StatusCode}");
            }
        })).ToList();

        var (exit, output, error) = await ServiceCommand.RunAsync(ServiceCommand.Environment(ledger.ConnectionString), "projections", "rebuild");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(exit == 0, output + error);
        Assert.Contains("rebuild-snapshots", error, StringComparison.Ordinal);
        Assert.Contains("Rebuilt", output, StringComparison.Ordinal);
        Assert.Contains("POST 200", answers);
        Assert.All(answers, a => Assert.EndsWith(" 200", a, StringComparison.Ordinal));
        foreach (var id in ids)
        {
            var snapshot = await ledger.Host.GetAsync($"/agreements/{id}");
            var folded = await ledger.Host.GetAsync($"/agreements/{id}?version={snapshot["version"].GetInt64()}");
            Assert.Equal(folded.Text, snapshot.Text);
            var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
            Assert.True(chain["verified"].GetBoolean(), chain.Text);
        }
    }
}
