using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

[Collection(ConventionsCollection.Name)]
public sealed class TimelineTests(LedgerHost ledger)
{
    [Fact]
    public async Task in_effect_on_a_day_the_timeline_holds_only_the_events_in_effect_by_then()
    {
        var id = Given.NewId("ineffect");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-03-01" }, 200);

        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline?effectiveOn=2024-02-01"))["entries"].EnumerateArray()
            .Select(e => e.GetProperty("type").GetString()!).ToArray();

        Assert.Equal(["agreement_proposed"], entries);
    }

    [Fact]
    public async Task every_entry_names_its_leaf_once_the_tree_holds_it_and_null_before()
    {
        var id = Given.NewId("leafentry");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-03-01" }, 200);

        var head = await ledger.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().ToArray();
        var store = ledger.Host.Services.GetRequiredService<MerkleStore>();
        foreach (var entry in entries)
        {
            var position = entry.GetProperty("position").GetInt64();
            Assert.True(position <= head.Position);
            Assert.Equal(await store.LeafAtAsync(position, CancellationToken.None), entry.GetProperty("leafIndex").GetInt64());
        }

        // An event the tree has not taken yet (its leaf row gone, as before the extender's step) is null, not absent.
        var last = entries[^1].GetProperty("position").GetInt64();
        var leaf = await store.LeafAtAsync(last, CancellationToken.None);
        await ledger.ExecuteAsync("update ledger.merkle_nodes set position = null where level = 0 and position = $1", last);
        try
        {
            var held = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().Last();
            Assert.Equal(JsonValueKind.Null, held.GetProperty("leafIndex").ValueKind);
        }
        finally
        {
            await ledger.ExecuteAsync("update ledger.merkle_nodes set position = $1 where level = 0 and index = $2", last, leaf!.Value);
        }
    }

    [Fact]
    public async Task every_entry_carries_a_hash_that_an_auditor_can_recompute()
    {
        var id = Given.NewId("chain");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", location = "Zürich — “quoted”" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-01-15", place = "London" }, 200);

        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray()
            .OrderBy(e => e.GetProperty("version").GetInt64()).ToArray();

        var previous = EventHash.Genesis;
        foreach (var entry in entries)
        {
            Assert.Equal(previous, entry.GetProperty("previousHash").GetString());
            var occurred = entry.GetProperty("occurredOn").GetString();
            var recomputed = EventHash.Compute(previous, new HashedEvent(
                entry.GetProperty("type").GetString()!,
                id,
                entry.GetProperty("version").GetInt64(),
                occurred is null ? null : DateOnly.Parse(occurred, System.Globalization.CultureInfo.InvariantCulture),
                entry.GetProperty("recordedAt").GetString()!,
                entry.GetProperty("recordedBy").GetString()!,
                entry.GetProperty("data")));
            Assert.Equal(recomputed, entry.GetProperty("hash").GetString());
            Assert.Matches("^[0-9a-f]{64}$", recomputed);
            previous = recomputed;
        }
    }

    [Fact]
    public async Task entries_are_ordered_by_occurred_on_then_version_and_paged_with_a_cursor()
    {
        var id = Given.NewId("paging");
        await ledger.Host.ProposedAsync(id, "EU", "KR");
        foreach (var day in new[] { "2024-03-01", "2024-02-01", "2024-03-01", "2024-01-20" })
        {
            await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = day }, 200);
        }

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/agreements/{id}/timeline?limit=2" + (cursor is null ? "" : "&cursor=" + cursor);
            var page = await ledger.Host.GetAsync(url);
            seen.AddRange(page["entries"].EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
            cursor = page.Body.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal([1L, 5L, 3L, 2L, 4L], seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("cursor=not-a-cursor")]
    public async Task rejects_bad_paging_parameters_with_400(string query)
    {
        var id = Given.NewId("badpaging");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.GetAsync($"/agreements/{id}/timeline?{query}", 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
    }

    [Fact]
    public async Task data_is_exactly_what_was_stored()
    {
        var id = Given.NewId("rawdata");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01", signedBy = "Minister" }, 200);

        var data = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][1].GetProperty("data");

        Assert.Equal(
            ["occurredOn", "party", "signedBy"],
            data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.String, data.GetProperty("occurredOn").ValueKind);
    }
}
