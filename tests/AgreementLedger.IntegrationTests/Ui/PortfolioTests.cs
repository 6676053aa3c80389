using System.Globalization;
using System.Text.RegularExpressions;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Issue #21, point 1: the portfolio picture — a lane per agreement with its stages along one date axis and its next
/// target's flag, filtered, sorted, as known at and as in effect on, a party's own portfolio — each page drawn from one
/// answer of GET /agreements, checked against that answer.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PortfolioTests(BrowserHost host) : IAsyncLifetime
{
    private const string EuJapan = "eu-japan-security-defence-partnership";
    private readonly PortfolioPage _portfolio = new(host);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task each_agreement_has_a_lane_with_its_stages_at_their_dates_on_the_axis(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);

        var answer = await _portfolio.ListAsync("");
        var items = answer.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(items.Select(i => i.GetProperty("id").GetString()), await PortfolioPage.LaneIdsAsync(page));
        var drawn = await page.EvaluateAsync<System.Text.Json.JsonElement>(PortfolioPage.StagesAndTicks);
        var stages = drawn.GetProperty("stages").EnumerateArray().ToList();
        foreach (var item in items)
        {
            var expected = item.GetProperty("stages").EnumerateArray().Select(s => $"{s.GetProperty("stage")} {s.GetProperty("reachedOn")}");
            var shown = stages.Where(s => s.GetProperty("id").GetString() == item.GetProperty("id").GetString()).Select(s => $"{s.GetProperty("stage")} {s.GetProperty("on")}");
            Assert.Equal(expected, shown);
        }

        // One axis for every lane: each stage starts where the axis's ticks put its date (within a pixel).
        var ticks = drawn.GetProperty("ticks").EnumerateArray().Select(t => (Day: Day(t.GetProperty("on").GetString()!), X: t.GetProperty("x").GetDouble())).Distinct().ToList();
        var (a, b) = (ticks.MinBy(t => t.Day), ticks.MaxBy(t => t.Day));
        Assert.True(b.Day > a.Day, $"ticks: {string.Join(", ", ticks)}");
        foreach (var stage in stages)
        {
            var expectedX = a.X + (Day(stage.GetProperty("on").GetString()!) - a.Day) * (b.X - a.X) / (b.Day - a.Day);
            Assert.InRange(stage.GetProperty("x").GetDouble(), expectedX - 1.5, expectedX + 1.5);
        }

        // Drawn at the width shown: lane text stays 12 px on screen, at both widths.
        var height = await page.Locator("#portfolio .stage text").First.EvaluateAsync<double>("t => t.getBoundingClientRect().height");
        Assert.InRange(height, 12, 20);
        Assert.Empty(host.Errors[page]);
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_missed_signature_target_of_eu_japan_is_flagged_overdue_in_its_lane(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);
        var item = (await _portfolio.ListAsync("")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == EuJapan);
        var target = item.GetProperty("nextTarget");
        Assert.True(target.GetProperty("overdue").GetBoolean());

        var row = page.Locator($"#portfolio tr[data-id='{EuJapan}']");
        var flag = row.Locator($".target.overdue[data-milestone='{target.GetProperty("milestone").GetString()}']");
        await Expect(flag).ToHaveAttributeAsync("data-target-date", target.GetProperty("targetDate").GetString()!);
        await Expect(flag).ToContainTextAsync("OVERDUE");
        await Expect(flag.Locator("text")).ToBeVisibleAsync();
        await Expect(row.Locator("td[data-label='Next target']")).ToContainTextAsync($"Signed by {target.GetProperty("targetDate").GetString()} — OVERDUE");
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveAccessibleNameAsync(new Regex("next target Signed by 2024-12-31, overdue"));

        await row.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath(width < 500 ? "ui-portfolio-phone.png" : "ui-portfolio.png"), FullPage = width > 500 });
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task sorting_orders_the_lanes_as_the_api_orders_them_and_the_url_keeps_the_order(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);
        var byId = await PortfolioPage.LaneIdsAsync(page);
        var orders = new List<List<string>>();

        foreach (var sort in new[] { "nextTarget", "-signedOn", "-lastChange" })
        {
            await page.GetByLabel("Sort by").SelectOptionAsync(sort);
            await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());

            await Expect(page).ToHaveURLAsync(new Regex($"sort={Regex.Escape(sort)}(&|$)"));
            var sorted = await PortfolioPage.LaneIdsAsync(page);
            Assert.Equal(await _portfolio.ListIdsAsync("sort=" + sort), sorted);
            orders.Add(sorted);
        }

        Assert.Contains(orders, order => !order.SequenceEqual(byId));

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Sort by")).ToHaveValueAsync("-lastChange");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task filters_with_in_force_are_kept_in_the_url_and_draw_what_the_api_answers(int width)
    {
        var party = Given.NewParty();
        var inForce = await _portfolio.TreatyAsync(party, inForce: true);
        var signed = await _portfolio.TreatyAsync(party, inForce: false);
        var page = await _portfolio.OpenAsync("#/", width);

        await page.GetByLabel("Party", new() { Exact = true }).FillAsync(party);
        await page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync("treaty");
        await page.GetByLabel("In force").SelectOptionAsync("In force");
        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());

        await Expect(page).ToHaveURLAsync(new Regex($"party={party}.*kind=treaty.*inForce=true"));
        Assert.Equal([inForce], await PortfolioPage.LaneIdsAsync(page));
        Assert.Equal([inForce], await _portfolio.ListIdsAsync($"party={party}&kind=treaty&inForce=true"));

        await page.GetByLabel("In force").SelectOptionAsync("Not in force");
        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());
        Assert.Equal([signed], await PortfolioPage.LaneIdsAsync(page));

        // The URL is the view: opened afresh, it shows the same filters and lanes.
        var reopened = await _portfolio.OpenAsync(new Uri(page.Url).Fragment, width);
        await Expect(reopened.GetByLabel("In force")).ToHaveValueAsync("false");
        await Expect(reopened.GetByLabel("Party", new() { Exact = true })).ToHaveValueAsync(party);
        Assert.Equal([signed], await PortfolioPage.LaneIdsAsync(reopened));
        await BrowserHost.AssertAxeCleanAsync(reopened);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task as_in_effect_on_and_as_known_at_change_what_the_lanes_show(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);

        // In effect on 2024-11-01, EU–Japan's signature target (2024-12-31) lay ahead: not overdue yet.
        await page.GetByLabel("What had happened in the world by").FillAsync("2024-11-01");
        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());
        await Expect(page).ToHaveURLAsync(new Regex("effectiveOn=2024-11-01"));
        await Expect(page.Locator("#time-banner")).ToContainTextAsync("as in effect on 2024-11-01");
        Assert.Equal(await _portfolio.ListIdsAsync("effectiveOn=2024-11-01"), await PortfolioPage.LaneIdsAsync(page));
        var row = page.Locator($"#portfolio tr[data-id='{EuJapan}']");
        await Expect(row.Locator(".target.pending[data-milestone='Signed']")).ToHaveCountAsync(1);
        await Expect(row.Locator(".target.overdue")).ToHaveCountAsync(0);

        // As known before a signature was recorded, the lane of a treaty signed since ends at Proposed.
        var party = Given.NewParty();
        var id = Given.NewId("ui-portfolio");
        await _portfolio.PostAsync(null, "", new { id, title = "Treaty " + id, kind = "treaty", parties = new[] { party }, areas = Array.Empty<string>(), occurredOn = "2024-01-10" });
        await Task.Delay(1100);
        var between = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        await Task.Delay(1100);
        await _portfolio.PostAsync(id, "signatures", new { party, occurredOn = "2024-03-01" });

        await page.GotoAsync($"/#/?party={party}");
        await Expect(page.Locator($"#portfolio tr[data-id='{id}'] .stage[data-stage='Signed']")).ToHaveCountAsync(1);
        await page.GetByLabel("What the ledger knew on (UTC)").FillAsync(between);
        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());
        await Expect(page.Locator("#time-banner")).ToContainTextAsync("As known at");
        var lane = page.Locator($"#portfolio tr[data-id='{id}']");
        await Expect(lane.Locator(".stage")).ToHaveCountAsync(1);
        await Expect(lane.Locator(".stage[data-stage='Proposed']")).ToHaveAttributeAsync("data-reached-on", "2024-01-10");
        await Expect(lane.Locator(".badge")).ToHaveTextAsync("Proposed");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_party_code_opens_that_partys_portfolio_from_a_lane_and_from_an_agreement(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);

        await PortfolioPage.DrawnAfterAsync(page, () => page.Locator($"#portfolio tr[data-id='{EuJapan}']").GetByRole(AriaRole.Link, new() { Name = "JP", Exact = true }).ClickAsync());
        await Expect(page).ToHaveURLAsync(new Regex("party=JP"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("JP's agreements");
        var lanes = await PortfolioPage.LaneIdsAsync(page);
        Assert.Contains(EuJapan, lanes);
        Assert.Equal(await _portfolio.ListIdsAsync("party=JP"), lanes);
        foreach (var parties in await page.Locator("#portfolio td[data-label='Parties']").AllTextContentsAsync())
        {
            Assert.Contains("JP", parties.Split(", "));
        }

        await page.GotoAsync("/#/agreements/gcap-treaty");
        await PortfolioPage.DrawnAfterAsync(page, () => page.Locator(".facts").GetByRole(AriaRole.Link, new() { Name = "IT", Exact = true }).ClickAsync());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("IT's agreements");
        Assert.Equal(await _portfolio.ListIdsAsync("party=IT"), await PortfolioPage.LaneIdsAsync(page));
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_lanes_details_open_and_close_from_the_keyboard(int width)
    {
        var page = await _portfolio.OpenAsync("#/", width);
        var row = page.Locator($"#portfolio tr[data-id='{EuJapan}']");
        var lane = row.GetByRole(AriaRole.Button);

        await row.GetByRole(AriaRole.Link).First.FocusAsync();
        for (var i = 0; i < 6 && !await lane.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(lane).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(lane).ToHaveAttributeAsync("aria-expanded", "true");
        var details = page.Locator($"#{await lane.GetAttributeAsync("aria-controls")}");
        await Expect(details).ToBeVisibleAsync();
        await Expect(details).ToContainTextAsync("Proposed from 2024-06-23");
        await Expect(details).ToContainTextAsync("Signed by 2024-12-31 — OVERDUE");
        await Expect(details.GetByRole(AriaRole.Link, new() { Name = "Open EU–Japan security and defence partnership" })).ToHaveAttributeAsync("href", $"#/agreements/{EuJapan}");

        await page.Keyboard.PressAsync(" ");
        await Expect(lane).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(details).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(details).ToBeVisibleAsync();
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task an_event_recorded_elsewhere_redraws_the_lane_and_keeps_its_details_open_and_focused(int width)
    {
        var party = Given.NewParty();
        var id = await _portfolio.TreatyAsync(party, inForce: false);
        var page = await _portfolio.OpenAsync($"#/?party={party}", width);
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");
        var lane = page.Locator($"#portfolio tr[data-id='{id}']").GetByRole(AriaRole.Button);
        await lane.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(lane).ToHaveAttributeAsync("aria-expanded", "true");

        await PortfolioPage.DrawnAfterAsync(page, () => _portfolio.PostAsync(id, "targets", new { milestone = "Delivered", targetDate = "2030-06-30" }));

        await Expect(lane).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(lane).ToBeFocusedAsync();
        await Expect(page.Locator($"#{await lane.GetAttributeAsync("aria-controls")}")).ToContainTextAsync("Delivered by 2030-06-30");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_page_of_the_portfolio_costs_one_request_and_the_next_page_one_more(int width)
    {
        var party = Given.NewParty();
        for (var i = 0; i < 51; i++)
        {
            await _portfolio.PostAsync(null, "", new { id = $"ui-paged-{party.ToLowerInvariant()}-{i:D2}", title = $"Paged {i}", kind = "forum", parties = new[] { party }, areas = Array.Empty<string>(), occurredOn = "2024-01-10" });
        }

        var page = await _portfolio.OpenAsync("#/", width);
        var requests = new List<string>();
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == "/agreements")
            {
                lock (requests)
                {
                    requests.Add(request.Url);
                }
            }
        };

        await page.GetByLabel("Party", new() { Exact = true }).FillAsync(party);
        await page.GetByLabel("Sort by").SelectOptionAsync("-lastChange");
        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync());
        await Task.Delay(500);
        var first = Assert.Single(requests);
        Assert.Matches("limit=([1-9]|[1-9][0-9]|100)(&|$)", first);
        var firstPage = await PortfolioPage.LaneIdsAsync(page);
        Assert.Equal(await _portfolio.ListIdsAsync($"party={party}&sort=-lastChange"), firstPage);
        Assert.Equal(50, firstPage.Count);

        await PortfolioPage.DrawnAfterAsync(page, () => page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync());
        await Task.Delay(500);
        Assert.Equal(2, requests.Count);
        Assert.Contains("cursor=", requests[1], StringComparison.Ordinal);
        var second = Assert.Single(await PortfolioPage.LaneIdsAsync(page));
        Assert.DoesNotContain(second, firstPage);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "First page" })).ToBeVisibleAsync();
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    private static int Day(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;
}
