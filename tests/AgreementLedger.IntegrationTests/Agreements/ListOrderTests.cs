using System.Globalization;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// <c>GET /agreements</c>'s <c>sort</c>, <c>effectiveOn</c> and the items' <c>stages</c>, <c>nextTarget</c> and
/// <c>lastRecordedAt</c> (API.md "Queries"): a page of the portfolio drawn from one answer. Each test filters on a
/// party of its own, so other tests' agreements never show.
/// </summary>
[Collection(ConventionsCollection.Name)]
public sealed class ListOrderTests(LedgerHost ledger)
{
    private async Task<string> SignedOnAsync(string prefix, string party, string? day)
    {
        var id = Given.NewId(prefix);
        await ledger.Host.ProposedAsync(id, party);
        if (day is not null)
        {
            await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = day }, 200);
        }

        return id;
    }

    private async Task<List<string>> WalkAsync(string query, int limit)
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ledger.Host.GetAsync($"/agreements?{query}&limit={limit}" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.Body.TryGetProperty("next", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);
        return seen;
    }

    [Fact]
    public async Task items_carry_their_stages_their_earliest_unmet_target_and_when_they_last_changed()
    {
        var party = Given.NewParty();
        var late = await SignedOnAsync("list-late", party, null);
        await ledger.Host.PostAsync($"/agreements/{late}/targets", new { milestone = "Signed", targetDate = "2024-03-01", occurredOn = "2024-01-11" }, 200);
        await ledger.Host.PostAsync($"/agreements/{late}/targets", new { milestone = "Funded", targetDate = "2024-02-15", occurredOn = "2024-01-11" }, 200);
        var last = await ledger.Host.PostAsync($"/agreements/{late}/targets", new { milestone = "Negotiated", targetDate = "2099-01-01", occurredOn = "2024-01-11" }, 200);
        var met = await SignedOnAsync("list-met", party, "2024-02-01");
        await ledger.Host.PostAsync($"/agreements/{met}/targets", new { milestone = "Signed", targetDate = "2024-03-01", occurredOn = "2024-01-11" }, 200);

        var items = (await ledger.Host.GetAsync($"/agreements?party={party}"))["items"].EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);

        var next = items[late].GetProperty("nextTarget");
        Assert.Equal(("Funded", "2024-02-15", true), (next.GetProperty("milestone").GetString(), next.GetProperty("targetDate").GetString(), next.GetProperty("overdue").GetBoolean()));
        Assert.Equal(last["lastRecordedAt"].GetString(), items[late].GetProperty("lastRecordedAt").GetString());
        Assert.Equal(["Proposed"], items[late].GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()));
        Assert.False(items[met].TryGetProperty("nextTarget", out _));
        var stages = items[met].GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s.GetProperty("reachedOn").GetString());
        Assert.Equal("2024-02-01", stages["Signed"]);

        // Overdue is judged on the effectiveOn date: the Funded target was overdue on 2024-02-20, not yet on 2024-02-10.
        var then = (await ledger.Host.GetAsync($"/agreements?party={party}&effectiveOn=2024-02-20"))["items"].EnumerateArray().Single(i => i.GetProperty("id").GetString() == late);
        Assert.True(then.GetProperty("nextTarget").GetProperty("overdue").GetBoolean());
        var before = (await ledger.Host.GetAsync($"/agreements?party={party}&effectiveOn=2024-02-10"))["items"].EnumerateArray().Single(i => i.GetProperty("id").GetString() == late);
        Assert.False(before.GetProperty("nextTarget").GetProperty("overdue").GetBoolean());

        // As known at an instant, the page's items are folded as then: before the signature was recorded, no Signed stage.
        var signedAt = (await ledger.Host.GetAsync($"/agreements/{met}/timeline"))["entries"].EnumerateArray().Single(e => e.GetProperty("version").GetInt64() == 2).GetProperty("recordedAt").GetString()!;
        var asOf = Uri.EscapeDataString(DateTimeOffset.Parse(signedAt, CultureInfo.InvariantCulture).AddTicks(-10).ToString("O", CultureInfo.InvariantCulture));
        var known = (await ledger.Host.GetAsync($"/agreements?party={party}&asOf={asOf}"))["items"].EnumerateArray().Single(i => i.GetProperty("id").GetString() == met);
        Assert.Equal(["Proposed"], known.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()));
        Assert.Equal(1, known.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task sort_orders_by_signature_date_either_way_with_the_unsigned_last_and_the_cursor_keeps_the_order()
    {
        var party = Given.NewParty();
        var march = await SignedOnAsync("list-c", party, "2024-03-05");
        var february = await SignedOnAsync("list-b", party, "2024-02-10");
        var unsigned = await SignedOnAsync("list-a", party, null);

        Assert.Equal([february, march, unsigned], await WalkAsync($"party={party}&sort=signedOn", 1));
        Assert.Equal([march, february, unsigned], await WalkAsync($"party={party}&sort=-signedOn", 1));
        Assert.Equal([.. new[] { march, february, unsigned }.Order(StringComparer.Ordinal).Reverse()], await WalkAsync($"party={party}&sort=-id", 2));
        Assert.Equal([.. new[] { march, february, unsigned }.Order(StringComparer.Ordinal)], await WalkAsync($"party={party}&sort=id", 2));

        // Last changed first: the agreement touched last leads.
        await ledger.Host.PostAsync($"/agreements/{february}/amendments", new { summary = "Scope widened.", occurredOn = "2024-03-10" }, 200);
        Assert.Equal(february, (await WalkAsync($"party={party}&sort=-lastChange", 100))[0]);
        Assert.Equal(february, (await WalkAsync($"party={party}&sort=lastChange", 100))[^1]);
    }

    [Fact]
    public async Task sort_by_next_target_puts_the_earliest_unmet_first_and_the_rest_last()
    {
        var party = Given.NewParty();
        var soon = await SignedOnAsync("list-soon", party, null);
        await ledger.Host.PostAsync($"/agreements/{soon}/targets", new { milestone = "Signed", targetDate = "2024-05-01", occurredOn = "2024-01-11" }, 200);
        var later = await SignedOnAsync("list-later", party, null);
        await ledger.Host.PostAsync($"/agreements/{later}/targets", new { milestone = "Signed", targetDate = "2025-05-01", occurredOn = "2024-01-11" }, 200);
        var none = await SignedOnAsync("list-none", party, null);

        Assert.Equal([soon, later, none], await WalkAsync($"party={party}&sort=nextTarget", 1));
        Assert.Equal([later, soon, none], await WalkAsync($"party={party}&sort=-nextTarget", 1));
    }

    [Fact]
    public async Task effective_on_lists_the_agreements_as_in_effect_on_that_date_filters_included()
    {
        var party = Given.NewParty();
        var id = Given.NewId("list-eff");
        await ledger.Host.SignedAsync(id, party);

        Assert.Equal("Proposed", (await ledger.Host.GetAsync($"/agreements?party={party}&effectiveOn=2024-01-20"))["items"][0].GetProperty("status").GetString());
        Assert.Equal(0, (await ledger.Host.GetAsync($"/agreements?party={party}&status=Signed&effectiveOn=2024-01-20"))["items"].GetArrayLength());
        Assert.Equal(1, (await ledger.Host.GetAsync($"/agreements?party={party}&status=Signed&effectiveOn=2024-02-01"))["items"].GetArrayLength());
        Assert.Equal(0, (await ledger.Host.GetAsync($"/agreements?party={party}&effectiveOn=2024-01-09"))["items"].GetArrayLength());

        // A party that joined later in the world was not a party on the earlier date.
        var joined = Given.NewParty();
        var other = Given.NewId("list-join");
        await ledger.Host.ProposedAsync(other, party);
        await ledger.Host.PostAsync($"/agreements/{other}/parties", new { party = joined, occurredOn = "2024-03-01" }, 200);
        Assert.Equal(0, (await ledger.Host.GetAsync($"/agreements?party={joined}&effectiveOn=2024-02-01"))["items"].GetArrayLength());
        Assert.Equal(other, (await ledger.Host.GetAsync($"/agreements?party={joined}&effectiveOn=2024-03-01"))["items"][0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task a_bad_sort_effective_on_or_a_cursor_of_another_order_is_400()
    {
        var party = Given.NewParty();
        await SignedOnAsync("list-bad1", party, "2024-02-01");
        await SignedOnAsync("list-bad2", party, "2024-02-02");

        var bad = await ledger.Host.GetAsync("/agreements?sort=title", 400);
        Assert.Contains("signedOn", bad["errors"].GetProperty("sort")[0].GetString());
        Assert.True((await ledger.Host.GetAsync("/agreements?effectiveOn=2024-02-30", 400))["errors"].TryGetProperty("effectiveOn", out _));

        var bySignature = (await ledger.Host.GetAsync($"/agreements?party={party}&sort=signedOn&limit=1"))["next"].GetString();
        var byId = (await ledger.Host.GetAsync($"/agreements?party={party}&limit=1"))["next"].GetString();
        Assert.Contains("sort=signedOn", (await ledger.Host.GetAsync($"/agreements?party={party}&sort=-signedOn&cursor={bySignature}", 400))["errors"].GetProperty("cursor")[0].GetString());
        Assert.True((await ledger.Host.GetAsync($"/agreements?party={party}&sort=signedOn&cursor={byId}", 400))["errors"].TryGetProperty("cursor", out _));
        Assert.True((await ledger.Host.GetAsync($"/agreements?party={party}&cursor={bySignature}", 400))["errors"].TryGetProperty("cursor", out _));
    }
}
