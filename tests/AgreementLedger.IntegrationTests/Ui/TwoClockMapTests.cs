using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// The two-clock map on the agreement page, at laptop and phone widths: each event a point at its effective date
/// across and its recording time up, retractions linked to what they struck out and to the replacement, a crosshair
/// that sets both clocks at once (dragged, or with the two sliders), and a replay in recording order.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoClockMapTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    /// <summary>
    /// Proposed 2024-01-10 (v1), JP signed 2024-01-20 (v2), GB 2024-02-01 (v3), JP funds 2024-02-05 (v4); GB's signature
    /// corrected to 2024-02-02 (v5 retraction, v6 replacement); a round of 2024-01-15 learned last (v7).
    /// </summary>
    private async Task<string> HistoryAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await host.PostAsync("/agreements", new { id, title = "Programme " + id, kind = "programme", parties = new[] { "JP", "GB" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-01-20" });
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-01" });
        await host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 100, currency = "JPY", occurredOn = "2024-02-05" });
        await host.PostAsync($"/agreements/{id}/corrections", new { version = 3, reason = "A day later.", replacement = new { type = "party_signed", party = "GB", occurredOn = "2024-02-02" } });
        await host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-15", location = "Tokyo" });
        return id;
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task each_event_stands_at_its_two_times_and_dragging_the_crosshair_shows_the_page_as_it_was_then(int width)
    {
        var id = await HistoryAsync("ui-map");
        var entries = await host.TimelineAsync(id);
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("7");
        var map = page.Locator("#two-clock-map svg");
        await Expect(map.Locator(".point")).ToHaveCountAsync(entries.Count);

        var points = new Dictionary<long, (double X, double Y)>();
        foreach (var entry in entries)
        {
            var version = entry.GetProperty("version").GetInt64();
            var point = map.Locator($".point[data-version='{version}']");
            points[version] = (double.Parse((await point.GetAttributeAsync("data-cx"))!, System.Globalization.CultureInfo.InvariantCulture),
                double.Parse((await point.GetAttributeAsync("data-cy"))!, System.Globalization.CultureInfo.InvariantCulture));
        }

        // Up is recording order (a correction's two events share their moment); across is the effective date.
        var recordedAt = entries.ToDictionary(e => e.GetProperty("version").GetInt64(), e => e.GetProperty("recordedAt").GetString());
        for (var version = 2; version <= entries.Count; version++)
        {
            var together = recordedAt[version] == recordedAt[version - 1];
            Assert.True(together ? points[version].Y == points[version - 1].Y : points[version].Y < points[version - 1].Y,
                $"v{version} is not {(together ? "level with" : "above")} v{version - 1}");
        }

        Assert.Equal(recordedAt[5], recordedAt[6]);

        var dated = entries.Where(e => e.GetProperty("occurredOn").ValueKind == JsonValueKind.String).ToList();
        for (var i = 1; i < dated.Count; i++)
        {
            var (before, after) = (dated[i - 1], dated[i]);
            var sameDay = before.GetProperty("occurredOn").GetString() == after.GetProperty("occurredOn").GetString();
            var (x0, x1) = (points[before.GetProperty("version").GetInt64()].X, points[after.GetProperty("version").GetInt64()].X);
            Assert.True(sameDay ? x0 == x1 : x0 < x1, $"{before.GetProperty("occurredOn")} is not left of {after.GetProperty("occurredOn")}");
        }

        await Expect(map.Locator(".point[data-version='3']")).ToHaveClassAsync("point retracted");
        await Expect(map.Locator(".point[data-version='5']")).ToHaveClassAsync("point retraction");
        await Expect(map.Locator("line.retracts[data-from='5'][data-to='3']")).ToHaveCountAsync(1);
        await Expect(map.Locator("line.replaced-by[data-from='3'][data-to='6']")).ToHaveCountAsync(1);
        await Expect(map.Locator("desc")).ToContainTextAsync($"{entries.Count} events");
        await Expect(map.Locator("desc")).ToContainTextAsync("1 retracted");

        // Drag from the newest point to v4's (the funding): the ledger after v4, the world by 2024-02-05.
        await map.ScrollIntoViewIfNeededAsync();
        var box = (await map.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync((float)(box.X + points[7].X), (float)(box.Y + points[7].Y));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(box.X + points[4].X), (float)(box.Y + points[4].Y), new() { Steps = 5 });
        await Expect(page.Locator("#map-known")).ToHaveAttributeAsync("aria-valuetext", new System.Text.RegularExpressions.Regex("^after v4, "));
        await Expect(page.Locator("#map-happened")).ToHaveAttributeAsync("aria-valuetext", "2024-02-05");
        await page.Mouse.UpAsync();

        var v4 = entries.Single(e => e.GetProperty("version").GetInt64() == 4);
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");
        await Expect(page.Locator("#time-banner")).ToContainTextAsync("as in effect on 2024-02-05");
        var hash = Uri.UnescapeDataString(await page.EvaluateAsync<string>("location.hash"));
        Assert.Contains("asOf=" + v4.GetProperty("recordedAt").GetString(), hash, StringComparison.Ordinal);
        Assert.Contains("effectiveOn=2024-02-05", hash, StringComparison.Ordinal);

        // The past view's map shows the whole history, with what came later faded.
        await Expect(page.Locator("#two-clock-map .point")).ToHaveCountAsync(entries.Count);
        await Expect(page.Locator("#two-clock-map .point.beyond")).ToHaveCountAsync(3);
        await BrowserHost.AssertAxeCleanAsync(page);
        await page.Locator("section[aria-labelledby='map-heading']").ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath(width < 500 ? "ui-two-clock-map-phone.png" : "ui-two-clock-map.png") });
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_two_sliders_set_both_clocks_from_the_keyboard(int width)
    {
        var id = await HistoryAsync("ui-map-keys");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("7");

        var known = page.GetByLabel("Crosshair, recording clock: known after");
        await known.FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await Expect(known).ToHaveAttributeAsync("aria-valuetext", new System.Text.RegularExpressions.Regex("^after v1, "));
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(known).ToHaveAttributeAsync("aria-valuetext", new System.Text.RegularExpressions.Regex("^after v3, "));
        await Expect(page.Locator("#two-clock-map .point.beyond")).ToHaveCountAsync(4);
        await Expect(page.Locator("#map-status")).ToContainTextAsync("after v3");

        var happened = page.GetByLabel("Crosshair, world clock: happened by");
        await happened.FocusAsync();
        await page.Keyboard.PressAsync("End");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the page then" }).ClickAsync();

        // As known after v3: JP and GB signed, nothing else.
        await Expect(page.Locator("#version")).ToHaveTextAsync("3");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task replay_draws_the_points_in_the_order_the_ledger_recorded_them(int width)
    {
        var id = await HistoryAsync("ui-map-replay");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("7");

        // Which points are drawn, sampled as the replay goes: always the first n versions.
        await page.EvaluateAsync(@"() => {
            window.replayFrames = [];
            const map = document.querySelector('#two-clock-map');
            new MutationObserver(() => {
              const shown = [...map.querySelectorAll('.point:not(.unrecorded)')].map(p => Number(p.dataset.version)).sort((a, b) => a - b);
              window.replayFrames.push(shown);
            }).observe(map, { subtree: true, attributes: true, attributeFilter: ['class'] });
        }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay the recording" }).ClickAsync();
        await Expect(page.Locator("#map-status")).ToContainTextAsync("Recorded v");
        await Expect(page.Locator("#map-status")).ToHaveTextAsync("Replay finished: the ledger recorded 7 events.", new() { Timeout = 15000 });
        await Expect(page.Locator("#two-clock-map .point.unrecorded")).ToHaveCountAsync(0);

        var frames = await page.EvaluateAsync<int[][]>("window.replayFrames");
        var partial = frames.Where(f => f.Length is > 0 and < 7).ToList();
        Assert.True(partial.Count >= 3, $"the replay showed {partial.Count} partial frames");
        Assert.All(partial, f => Assert.Equal(Enumerable.Range(1, f.Length), f));

        // With reduced motion, the replay ends at once.
        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay the recording" }).ClickAsync();
        await Expect(page.Locator("#map-status")).ToHaveTextAsync("Replay finished: the ledger recorded 7 events.", new() { Timeout = 1000 });
        await BrowserHost.AssertAxeCleanAsync(page);
    }
}
