using AgreementLedger.Agreements;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// A snapshot behind its events (a foreign rebuild overwrote it, a restore mixed two points in time)
/// must never be decided on: the new event would be chained to the wrong hash and version. A node that keeps the
/// agreement's state from its own last commit decides on that (its version is checked at commit) and writes the
/// snapshot whole; one that keeps none (restarted, or another node) reads the snapshot and repairs it.
/// </summary>
[Collection(CommandsCollection.Name)]
public sealed class StaleSnapshotTests(LedgerHost ledger)
{
    [Fact]
    public async Task a_snapshot_behind_its_events_is_never_served_nor_decided_on_a_command_repairs_it_and_its_retry_succeeds()
    {
        var id = Given.NewId("stale");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var old = await ledger.ScalarAsync<string>("select data::text from ledger.mt_doc_agreement where id = $1", id);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);
        var current = await ledger.Host.GetAsync($"/agreements/{id}");
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set data = $2::jsonb, mt_version = 1 where id = $1", id, old);

        // Reads answer from the events while the snapshot is behind them.
        Assert.Equal(current.Text, (await ledger.Host.GetAsync($"/agreements/{id}")).Text);

        NodeKeepsNoStateOf(id);
        var refused = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 503);

        Assert.Equal("1", refused.Headers["Retry-After"]);
        Assert.Equal(3, await ledger.EventCountAsync(id));
        await AssertSnapshotIsTheFoldAsync(id, 3);

        var retried = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        Assert.Equal(4, retried["version"].GetInt64());
        Assert.Equal("Signed", retried["status"].GetString());
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);
    }

    [Fact]
    public async Task an_agreement_whose_snapshot_is_gone_is_read_from_its_events_and_repaired_by_the_next_command()
    {
        var id = Given.NewId("stale-gone");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);
        var before = await ledger.Host.GetAsync($"/agreements/{id}");
        await ledger.ExecuteAsync("delete from ledger.mt_doc_agreement where id = $1", id);

        // Reads fall back to the events: the same answer, not 404.
        Assert.Equal(before.Text, (await ledger.Host.GetAsync($"/agreements/{id}")).Text);
        await ledger.Host.GetAsync($"/agreements/{Given.NewId("never-proposed")}", 404);

        NodeKeepsNoStateOf(id);
        await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-01-25" }, 503);
        Assert.Equal(2, await ledger.EventCountAsync(id));
        await AssertSnapshotIsTheFoldAsync(id, 2);

        var retried = await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-01-25" }, 200);
        Assert.Equal("Negotiated", retried["status"].GetString());
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);
    }

    [Fact]
    public async Task a_node_that_kept_the_agreement_s_state_decides_on_it_and_its_commit_writes_the_snapshot_whole_again()
    {
        var id = Given.NewId("stale-kept");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var old = await ledger.ScalarAsync<string>("select data::text from ledger.mt_doc_agreement where id = $1", id);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set data = $2::jsonb, mt_version = 1 where id = $1", id, old);

        var signed = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        Assert.Equal(3, signed["version"].GetInt64());
        Assert.Equal("Signed", signed["status"].GetString());
        await AssertSnapshotIsTheFoldAsync(id, 3);
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);
    }

    /// <summary>As a node that never wrote to <paramref name="id"/> (or was restarted since): it must read the agreement.</summary>
    private void NodeKeepsNoStateOf(string id) => ledger.Host.Services.GetRequiredService<AgreementStates>().Forget(id);

    private async Task AssertSnapshotIsTheFoldAsync(string id, long version)
    {
        var snapshot = await ledger.Host.GetAsync($"/agreements/{id}");
        var folded = await ledger.Host.GetAsync($"/agreements/{id}?version={version}");
        Assert.Equal(version, snapshot["version"].GetInt64());
        Assert.Equal(folded.Text, snapshot.Text);
    }
}
