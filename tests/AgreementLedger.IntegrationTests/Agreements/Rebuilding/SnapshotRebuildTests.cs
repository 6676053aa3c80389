using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.IntegrationTests.Agreements.Seeding;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements.Rebuilding;

/// <summary>The one-pass snapshot rebuild: the same state as the inline projection, never older than what is there.</summary>
[Collection(BulkImportCollection.Name)]
public sealed class SnapshotRebuildTests(LedgerHost ledger)
{
    private SnapshotRebuilder Rebuilder => ledger.Host.Services.GetRequiredService<SnapshotRebuilder>();

    [Fact]
    public async Task rebuilt_snapshots_equal_the_inline_ones_and_never_replace_newer_ones()
    {
        var id = Given.NewId("rebuild");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-02" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 3, reason = "wrong date" }, 200);
        // The treaty-law state (the status table) is rebuilt too.
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "GB", instrument = "acceptance", occurredOn = "2024-04-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-05-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "reservation", text = "Art. 2", occurredOn = "2024-05-02" }, 200);
        var before = (await ledger.Host.GetAsync($"/agreements/{id}")).Text;
        Assert.Contains("\"inForceOn\":\"2024-05-01\"", before);

        // Lost snapshot, and a damaged one: both come back exactly as the inline projection made them.
        var other = Given.NewId("rebuild");
        await ledger.Host.ProposedAsync(other, "IT");
        var otherBefore = (await ledger.Host.GetAsync($"/agreements/{other}")).Text;
        await ledger.ExecuteAsync("delete from ledger.mt_doc_agreement where id = $1", id);
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set data = jsonb_set(data, '{title}', '\"damaged\"') where id = $1", other);

        var result = await Rebuilder.RebuildAsync(CancellationToken.None);
        Assert.True(result.Events >= 9 && result.Agreements >= 2, $"{result}");
        Assert.Equal(before, (await ledger.Host.GetAsync($"/agreements/{id}")).Text);
        Assert.Equal(otherBefore, (await ledger.Host.GetAsync($"/agreements/{other}")).Text);

        // A snapshot newer than the events the rebuild read (a command committed meanwhile) stays.
        await ledger.ExecuteAsync("update ledger.mt_doc_agreement set mt_version = 99, data = jsonb_set(data, '{title}', '\"newer\"') where id = $1", other);
        await Rebuilder.RebuildAsync(CancellationToken.None);
        Assert.Equal("newer", await ledger.ScalarAsync<string>("select data ->> 'title' from ledger.mt_doc_agreement where id = $1", other));
    }
}
