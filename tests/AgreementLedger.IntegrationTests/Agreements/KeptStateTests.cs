using AgreementLedger.Agreements;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// A command decides on the state this node kept from its own last commit to the agreement, and commits in one
/// round trip expecting that version. When another writer moved the agreement on meanwhile (another node, an
/// operator), the kept state is behind: the commit must find that out, append nothing of what it decided on it, and
/// decide again on the stored agreement — never 412 without If-Match, never a refusal judged on the kept state.
/// Here the other writer is this node itself, whose kept state is then wound back to what it was before.
/// </summary>
[Collection(CommandsCollection.Name)]
public sealed class KeptStateTests(LedgerHost ledger)
{
    private AgreementStates States => ledger.Host.Services.GetRequiredService<AgreementStates>();

    /// <summary>An agreement of JP and GB at version 2, as the node keeps it wound back to version 1.</summary>
    private async Task<string> MovedOnByAnotherWriterAsync(Func<string, Task> otherWriter)
    {
        var id = Given.NewId("kept");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        Assert.True(States.TryGet(id, out var atOne));
        Assert.Equal(1, atOne.Version);

        await otherWriter(id);
        States.Keep(id, atOne);
        return id;
    }

    [Fact]
    public async Task a_command_without_if_match_on_a_kept_state_another_writer_moved_on_is_decided_again_and_appended_after_it()
    {
        var id = await MovedOnByAnotherWriterAsync(id => ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-10" }, 200));

        var signed = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        Assert.Equal(3, signed["version"].GetInt64());
        Assert.Equal("\"3\"", signed.Headers["ETag"]);
        Assert.Equal(3, await ledger.EventCountAsync(id));
        Assert.Equal(signed.Text, (await ledger.Host.GetAsync($"/agreements/{id}")).Text);
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);

        // And the node keeps the state it committed: the next command decides on version 3.
        Assert.True(States.TryGet(id, out var kept));
        Assert.Equal(3, kept.Version);
    }

    [Fact]
    public async Task if_match_naming_the_stored_version_succeeds_though_the_kept_state_is_behind_and_naming_the_kept_one_is_412()
    {
        var id = await MovedOnByAnotherWriterAsync(id => ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-10" }, 200));

        var stale = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 412,
            s => s.WithRequestHeader("If-Match", "\"1\""));
        Assert.Equal("\"2\"", stale.Headers["ETag"]);
        Assert.Equal(2, await ledger.EventCountAsync(id));

        States.Keep(id, (await StateAtOneAsync(id)));
        var signed = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200,
            s => s.WithRequestHeader("If-Match", "\"2\""));
        Assert.Equal(3, signed["version"].GetInt64());
    }

    [Fact]
    public async Task a_command_the_kept_state_would_accept_but_the_stored_one_refuses_is_refused_appending_nothing()
    {
        // The other writer recorded JP's signature: the kept state does not know it, so it would accept JP signing again.
        var id = await MovedOnByAnotherWriterAsync(id => ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200));

        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-03" }, 409);

        Assert.Equal(2, await ledger.EventCountAsync(id));
        Assert.False(States.TryGet(id, out var kept) && kept.Version == 1, "the state found behind is still kept");
    }

    [Fact]
    public async Task a_command_the_kept_state_would_refuse_but_the_stored_one_accepts_is_accepted()
    {
        // The kept state is wrong the other way: it says GB has signed (another agreement's state, at this one's
        // version and chain), where the stored agreement has no signature yet.
        var id = Given.NewId("kept-wrong");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        Assert.True(States.TryGet(id, out var atOne));
        var other = Given.NewId("kept-other");
        await ledger.Host.ProposedAsync(other, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{other}/signatures", new { party = "GB", occurredOn = "2024-02-01" }, 200);
        Assert.True(States.TryGet(other, out var signedByGb));
        States.Keep(id, signedByGb with { Id = id, Version = 1, LastHash = atOne.LastHash, LastRecordedAt = atOne.LastRecordedAt });

        var signed = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        Assert.Equal(2, signed["version"].GetInt64());
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);
    }

    /// <summary>What the node kept of <paramref name="id"/> when it proposed it: read from its first version's state.</summary>
    private async Task<Agreement> StateAtOneAsync(string id)
    {
        await using var session = ledger.Host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        return await AgreementFacts.LoadAsync(session, id, 1, CancellationToken.None) with { Facts = null };
    }
}
