using AgreementLedger.Agreements;
using AgreementLedger.IntegrationTests.Support;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// A node that starts keeps the states of the agreements written last (<see cref="AgreementStatesWarmUp"/>), so its
/// first command on each decides without reading it: the states its own commits would have kept, newest first, up
/// to its capacity, and never one from a snapshot behind its stream nor over a state a commit kept meanwhile.
/// (DemoDataTests shows a restarted node doing it on its own.)
/// </summary>
[Collection(CommandsCollection.Name)]
public sealed class StatesWarmUpTests(LedgerHost ledger)
{
    private AgreementStatesWarmUp WarmUp => ledger.Host.Services.GetRequiredService<AgreementStatesWarmUp>();

    private string Json(Agreement agreement) => ledger.Host.Services.GetRequiredService<IDocumentStore>().Options.Serializer().ToJson(agreement);

    [Fact]
    public async Task the_states_kept_are_those_of_the_agreements_written_last_as_the_nodes_own_commits_left_them()
    {
        var (older, newer, last) = (Given.NewId("warm"), Given.NewId("warm"), Given.NewId("warm"));
        await ledger.Host.ProposedAsync(last, "JP", "GB");
        await ledger.Host.ProposedAsync(older, "JP", "GB");
        await ledger.Host.ProposedAsync(newer, "JP", "KR");
        await ledger.Host.PostAsync($"/agreements/{last}/negotiation-rounds", new { occurredOn = "2024-01-10" }, 200);

        var states = new AgreementStates(2);
        var (read, kept) = await WarmUp.WarmAsync(states, CancellationToken.None);

        Assert.Equal((2, 2), (read, kept));
        Assert.False(states.TryGet(older, out _));
        var node = ledger.Host.Services.GetRequiredService<AgreementStates>();
        foreach (var id in new[] { newer, last })
        {
            Assert.True(states.TryGet(id, out var warmed), $"{id} was not kept");
            Assert.True(node.TryGet(id, out var committed));
            Assert.Equal(Json(committed), Json(warmed));
        }

        Assert.True(states.TryGet(last, out var two));
        Assert.Equal(2, two.Version);
    }

    [Fact]
    public async Task a_snapshot_behind_its_stream_is_not_kept_and_a_state_kept_already_stays()
    {
        var (behind, keptAlready) = (Given.NewId("warm-behind"), Given.NewId("warm-kept"));
        await ledger.Host.ProposedAsync(keptAlready, "JP", "GB");
        await ledger.Host.ProposedAsync(behind, "JP", "GB");
        var old = await ledger.ScalarAsync<string>("select data::text from ledger.mt_doc_agreement where id = $1", behind);
        await ledger.Host.PostAsync($"/agreements/{behind}/negotiation-rounds", new { occurredOn = "2024-01-10" }, 200);
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set data = $2::jsonb, mt_version = 1 where id = $1", behind, old);

        var states = new AgreementStates(10);
        states.Keep(keptAlready, new Agreement { Id = keptAlready, Version = 7 });
        var (read, kept) = await WarmUp.WarmAsync(states, CancellationToken.None);

        Assert.False(states.TryGet(behind, out _));
        Assert.True(states.TryGet(keptAlready, out var stays));
        Assert.Equal(7, stays.Version);
        Assert.Equal(read - 1, kept);

        // The node repairs the snapshot on the next command, as StaleSnapshotTests shows; the ledger is left whole.
        ledger.Host.Services.GetRequiredService<AgreementStates>().Forget(behind);
        await ledger.Host.PostAsync($"/agreements/{behind}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 503);
    }
}
