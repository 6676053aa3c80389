using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// The inline snapshot holds what the rules need for a fact that comes after every known one (the
/// lifecycle state and the newest fact's effective key), not the facts, so it does not grow with every
/// payload. A fact dated earlier and a retraction need the facts: the command and the snapshot fold them
/// from the events, and answer and store exactly what the fold of every event does.
/// </summary>
[Collection(CommandsCollection.Name)]
public sealed class HistoryFreeSnapshotTests(LedgerHost ledger)
{
    [Fact]
    public async Task the_snapshot_keeps_no_facts_and_late_facts_and_retractions_answer_as_the_fold_of_every_event()
    {
        var id = Given.NewId("history-free");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", occurredOn = "2024-01-25" }, 200);

        Assert.False(await ledger.ScalarAsync<bool>("select data ? 'facts' from ledger.mt_doc_agreement where id = $1", id));
        Assert.Equal("3", await ledger.ScalarAsync<string>("select data ->> 'newestFactVersion' from ledger.mt_doc_agreement where id = $1", id));

        // Dated before the newest fact: decided on the facts folded from the events.
        var late = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Kyodo", occurredOn = "2024-01-15" }, 200);
        await AssertAnsweredAsTheFoldAsync(id, 4, late);
        Assert.Equal("3", await ledger.ScalarAsync<string>("select data ->> 'newestFactVersion' from ledger.mt_doc_agreement where id = $1", id));

        // A late fact that would break the lifecycle is refused as before (terms agreed before the round of 2024-01-20).
        var broken = await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-01-12" }, 409);
        Assert.Contains("would break the lifecycle at event 2", broken["detail"].GetString());

        // A retraction replays the facts without the one withdrawn: the newest is the round again.
        var retracted = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 3, reason = "misreported" }, 200);
        await AssertAnsweredAsTheFoldAsync(id, 5, retracted);
        Assert.Equal("2", await ledger.ScalarAsync<string>("select data ->> 'newestFactVersion' from ledger.mt_doc_agreement where id = $1", id));

        // Then the common case again, on the snapshot alone.
        var next = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "AFP", occurredOn = "2024-02-01" }, 200);
        await AssertAnsweredAsTheFoldAsync(id, 6, next);
        var chain = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.True(chain["verified"].GetBoolean(), chain.Text);
    }

    [Fact]
    public async Task a_snapshot_stored_before_the_newest_facts_key_was_kept_is_decided_on_from_the_events()
    {
        var id = Given.NewId("history-old");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);
        // As stored before: no key, and the facts with their payloads, which are no longer read.
        await ledger.ExecuteAsync(
            "update ledger.mt_doc_agreement set data = (data - 'newestFactOn' - 'newestFactVersion') || " +
            "jsonb_build_object('facts', jsonb_build_array(jsonb_build_object('version', 1, 'event', jsonb_build_object('$type', 'agreement_proposed')))) where id = $1", id);

        var late = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Kyodo", occurredOn = "2024-01-15" }, 200);
        await AssertAnsweredAsTheFoldAsync(id, 3, late);
        var newest = await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-01-25" }, 200);
        await AssertAnsweredAsTheFoldAsync(id, 4, newest);
        Assert.Equal("4", await ledger.ScalarAsync<string>("select data ->> 'newestFactVersion' from ledger.mt_doc_agreement where id = $1", id));
    }

    /// <summary>The command's answer, the snapshot's and the fold of every event up to <paramref name="version"/> are the same bytes.</summary>
    private async Task AssertAnsweredAsTheFoldAsync(string id, long version, Answer answer)
    {
        var snapshot = await ledger.Host.GetAsync($"/agreements/{id}");
        var folded = await ledger.Host.GetAsync($"/agreements/{id}?version={version}");
        Assert.Equal(version, snapshot["version"].GetInt64());
        Assert.Equal(folded.Text, snapshot.Text);
        Assert.Equal(folded.Text, answer.Text);
    }
}
