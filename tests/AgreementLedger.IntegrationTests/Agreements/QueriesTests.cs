using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

[Collection(ConventionsCollection.Name)]
public sealed class QueriesTests(LedgerHost ledger)
{
    [Fact]
    public async Task lists_agreements_filtered_and_ordered_by_id_paging_to_the_end()
    {
        var party = Given.NewParty();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = Given.NewId($"list{i}");
            ids.Add(id);
            await ledger.Host.ProposedAsync(id, party, "JP");
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ledger.Host.GetAsync($"/agreements?party={party}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.InRange(page["items"].GetArrayLength(), 1, 2);
            seen.AddRange(page["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.Body.TryGetProperty("next", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
        var item = (await ledger.Host.GetAsync($"/agreements?party={party}&limit=1"))["items"][0];
        Assert.Equal(
            ["id", "kind", "lastRecordedAt", "parties", "proposedOn", "stages", "status", "title", "version"],
            item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// As known at an instant, the list and the party portfolio are folded from the events a chunk of
    /// agreements at a time (never the whole ledger at once): pages across several chunks, with
    /// filters that skip most of a chunk, are exactly what was stored then, in id order.
    /// </summary>
    [Fact]
    public async Task the_list_and_portfolio_as_known_at_an_instant_page_through_hundreds_of_agreements_exactly()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var area = "chunks-" + tag;
        var ids = Enumerable.Range(0, 450).Select(i => $"chunk-{tag}-{i:D3}").ToList();
        Task Propose(int i) => ledger.Host.PostAsync("/agreements", new
        {
            id = ids[i],
            title = "Chunked " + i,
            kind = i % 3 == 0 ? "treaty" : "forum",
            parties = i % 2 == 0 ? new[] { "PH", "JP" } : new[] { "JP" },
            areas = new[] { area },
            occurredOn = "2024-01-10",
        }, 201);

        foreach (var batch in Enumerable.Range(0, 300).Chunk(10))
        {
            await Task.WhenAll(batch.Select(Propose));
        }

        await Task.Delay(50);
        var instant = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await Task.Delay(50);
        foreach (var batch in Enumerable.Range(300, 150).Chunk(10))
        {
            await Task.WhenAll(batch.Select(Propose));
        }

        async Task<List<string>> ListAsync(string query)
        {
            var seen = new List<string>();
            string? cursor = null;
            do
            {
                var page = await ledger.Host.GetAsync($"/agreements?area={area}&limit=100&{query}" + (cursor is null ? "" : "&cursor=" + cursor));
                seen.AddRange(page["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
                cursor = page.Body.TryGetProperty("next", out var next) ? next.GetString() : null;
            }
            while (cursor is not null);
            return seen;
        }

        Assert.Equal(ids[..300], await ListAsync($"asOf={instant}"));
        Assert.Equal(ids[..300].Where((_, i) => i % 3 == 0), await ListAsync($"asOf={instant}&kind=treaty"));
        Assert.Equal(ids[..300].Where((_, i) => i % 6 == 0), await ListAsync($"asOf={instant}&kind=treaty&party=PH"));
        Assert.Equal(ids, await ListAsync("asOf=2999-01-01T00:00:00Z"));
        Assert.Equal(await ListAsync(""), await ListAsync("asOf=2999-01-01T00:00:00Z"));

        var portfolio = await ledger.Host.GetAsync($"/parties/PH/agreements?asOf={instant}");
        Assert.Equal(
            ids[..300].Where((_, i) => i % 2 == 0),
            portfolio["agreements"].EnumerateArray().Select(a => a.GetProperty("id").GetString()!).Where(id => id.StartsWith($"chunk-{tag}-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task the_state_lists_each_stage_reached_with_its_day_in_effective_time_and_as_in_effect_then()
    {
        var id = Given.NewId("stages");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        static string[] Stages(Answer a) =>
            [.. a["stages"].EnumerateArray().Select(s => $"{s.GetProperty("stage").GetString()} {s.GetProperty("reachedOn").GetString()}")];

        Assert.Equal(["Proposed 2024-01-10", "Negotiating 2024-01-20", "Negotiated 2024-02-01", "Signed 2024-02-01"],
            Stages(await ledger.Host.GetAsync($"/agreements/{id}")));
        Assert.Equal(["Proposed 2024-01-10", "Negotiating 2024-01-20"],
            Stages(await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-01-25")));
    }

    [Fact]
    public async Task filters_by_status_area_and_kind()
    {
        var party = Given.NewParty();
        var signed = Given.NewId("signedlist");
        var proposed = Given.NewId("proposedlist");
        await ledger.Host.SignedAsync(signed, party);
        await ledger.Host.PostAsync("/agreements", new { id = proposed, title = "Space", kind = "forum", parties = new[] { party }, areas = new[] { "space" } }, 201);

        async Task<string[]> Ids(string query) =>
            (await ledger.Host.GetAsync($"/agreements?party={party}&{query}"))["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();

        Assert.Equal([signed], await Ids("status=Signed"));
        Assert.Equal([proposed], await Ids("status=Proposed"));
        Assert.Equal([proposed], await Ids("area=space"));
        Assert.Equal([signed], await Ids("area=defence-industry"));
        Assert.Equal([proposed], await Ids("kind=forum"));
        Assert.Empty(await Ids("kind=treaty"));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=x")]
    [InlineData("status=signed")]
    [InlineData("party=jp")]
    [InlineData("kind=alliance")]
    [InlineData("area=Bad%20Area")]
    [InlineData("cursor=bm9wZQ")]
    public async Task rejects_bad_list_parameters_with_400(string query)
    {
        var answer = await ledger.Host.GetAsync($"/agreements?{query}", 400);
        Assert.Equal("/problems/validation", answer.ProblemType);
    }

    [Fact]
    public async Task the_party_portfolio_lists_every_agreement_of_the_party_with_its_signature()
    {
        var party = Given.NewParty();
        var signed = Given.NewId("portsigned");
        var pending = Given.NewId("portpending");
        await ledger.Host.SignedAsync(signed, party, "GB");
        await ledger.Host.ProposedAsync(pending, "GB");
        await ledger.Host.PostAsync($"/agreements/{pending}/parties", new { party, occurredOn = "2024-01-15" }, 200);

        var portfolio = await ledger.Host.GetAsync($"/parties/{party}/agreements");

        Assert.Equal(party, portfolio["party"].GetString());
        var entries = portfolio["agreements"].EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!);
        Assert.Equal(2, entries.Count);
        Assert.True(entries[signed].GetProperty("signed").GetBoolean());
        Assert.Equal("2024-02-01", entries[signed].GetProperty("signedOn").GetString());
        Assert.Equal("Signed", entries[signed].GetProperty("status").GetString());
        Assert.False(entries[pending].GetProperty("signed").GetBoolean());
        Assert.False(entries[pending].TryGetProperty("signedOn", out _));
        Assert.Empty((await ledger.Host.GetAsync($"/parties/{Given.NewParty()}/agreements"))["agreements"].EnumerateArray());
        await ledger.Host.GetAsync("/parties/japan/agreements", 400);
    }
}
