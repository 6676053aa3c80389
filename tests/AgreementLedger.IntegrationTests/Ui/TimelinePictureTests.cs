using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Issue #21, point 6: the timeline picture keeps its labels inside its frame, always has dated ticks, draws an
/// agreement proposed today, and shows an event's details when its marker is focused or tapped; on a phone it is
/// a vertical line of cards with both dates, and the events table keeps its Retract buttons in reach.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class TimelinePictureTests(BrowserHost host) : IAsyncLifetime
{
    /// <summary>The picture's texts whose box crosses the picture's own, and the labels drawn at all.</summary>
    private const string LabelsOutside = """
        async () => {
          // The page draws the picture again once its forms are set up, and a fresh picture is drawn at its first layout.
          for (let i = 0; i < 100 && !document.querySelector('#timeline-picture svg'); i++) await new Promise(r => setTimeout(r, 50));
          const picture = document.querySelector('#timeline-picture svg');
          const frame = picture.getBoundingClientRect();
          const texts = [...picture.querySelectorAll('text')].filter(t => t.getBoundingClientRect().width > 0);
          const outside = texts.filter(t => { const r = t.getBoundingClientRect();
            return r.left < frame.left - 0.5 || r.right > frame.right + 0.5 || r.top < frame.top - 0.5 || r.bottom > frame.bottom + 0.5; });
          return { outside: outside.map(t => t.textContent), shown: texts.map(t => t.textContent) };
        }
        """;

    /// <summary>Text as laid out (a term and its value apart), not the bare text content.</summary>
    private static readonly LocatorAssertionsToContainTextOptions Shown = new() { UseInnerText = true };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Theory]
    [InlineData(1366)]
    [InlineData(720)]
    public async Task labels_at_the_right_edge_stay_inside_the_frame_and_keep_their_size(int width)
    {
        var id = await ProposeAsync("ui-edge", "2024-01-10");
        await PostAsync(id, "signatures", new { party = "JP", occurredOn = "2024-03-01" });
        await PostAsync(id, "signatures", new { party = "KR", occurredOn = "2024-03-02" });
        // The latest date drawn, so its flag stands at the right edge.
        await PostAsync(id, "targets", new { milestone = "Delivered", targetDate = "2030-12-31" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#timeline-picture .target[data-milestone='Delivered']")).ToHaveCountAsync(1);

        var labels = await page.EvaluateAsync<JsonElement>(LabelsOutside);

        Assert.Empty(labels.GetProperty("outside").EnumerateArray().Select(t => t.GetString()));
        var shown = labels.GetProperty("shown").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("Delivered", shown);
        Assert.Contains("Signed", shown);
        Assert.Contains("KR", shown);
        // Drawn at the width shown: 12 px text stays 12 px on screen, not scaled down with the picture.
        var height = await page.Locator("#timeline-picture .lane-label").First.EvaluateAsync<double>("t => t.getBoundingClientRect().height");
        Assert.InRange(height, 12, 20);
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task a_history_of_one_day_has_dated_ticks_around_it()
    {
        var id = await ProposeAsync("ui-one-day", "2024-01-10");
        await PostAsync(id, "signatures", new { party = "JP", occurredOn = "2024-01-10" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#timeline-picture [data-type='party_signed']")).ToHaveCountAsync(1);

        var ticks = await page.Locator("#timeline-picture .axis text").AllTextContentsAsync();

        Assert.True(ticks.Count >= 3, $"ticks: {string.Join(", ", ticks)}");
        Assert.All(ticks, t => Assert.InRange(DateOnly.Parse(t, System.Globalization.CultureInfo.InvariantCulture), new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 20)));
        Assert.Equal(ticks.Order(StringComparer.Ordinal), ticks);
    }

    [Fact]
    public async Task an_agreement_proposed_today_draws_its_proposal_today_and_a_dated_axis()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var id = await ProposeAsync("ui-today", today);
        var page = await host.SignedInPageAsync($"#/agreements/{id}");

        var proposal = page.Locator("#timeline-picture [data-type='agreement_proposed']");
        await Expect(proposal).ToBeVisibleAsync();
        // Read at once, from one drawing.
        var at = await page.EvaluateAsync<double[]>("""
            async () => {
              // The page draws the picture again once its forms are set up: wait for the drawing that stays.
              for (let i = 0; i < 100 && !document.querySelector("#timeline-picture svg [data-type='agreement_proposed']"); i++) await new Promise(r => setTimeout(r, 50));
              const box = selector => document.querySelector('#timeline-picture svg ' + selector).getBoundingClientRect();
              const frame = box(''), ring = box("[data-type='agreement_proposed'] circle:not(.halo)"), today = box('line[stroke-dasharray]');
              return [frame.left, frame.right, ring.left, ring.right, today.left];
            }
            """);
        Assert.InRange(at[2], at[0], at[1]);
        Assert.InRange(at[3], at[0], at[1]);
        // The proposal sits on today's line.
        Assert.InRange(at[4], at[2], at[3]);
        await Expect(page.Locator("#timeline-picture svg text", new() { HasText = $"today ({today})" })).ToBeVisibleAsync();
        await Expect(page.Locator("#timeline-picture svg text", new() { HasText = "Proposed" })).ToBeVisibleAsync();
        var ticks = await page.Locator("#timeline-picture .axis text").AllTextContentsAsync();
        Assert.True(ticks.Count >= 3, $"ticks: {string.Join(", ", ticks)}");
        Assert.All(ticks, t => Assert.Matches(IsoDate(), t));
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task a_marker_reached_by_keyboard_shows_its_details_and_the_arrow_keys_move_on()
    {
        var id = await ProposeAsync("ui-keys", "2024-01-10");
        await PostAsync(id, "signatures", new { party = "JP", occurredOn = "2024-03-01" });
        await PostAsync(id, "signatures", new { party = "KR", occurredOn = "2024-03-02" });
        var entries = await TimelineAsync(id);
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");
        await Expect(page.Locator(".timeline-cards")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to now" }).FocusAsync();
        await page.Keyboard.PressAsync("Tab");

        var details = page.Locator("#timeline-details");
        await Expect(page.Locator("#timeline-picture .marker[data-version='1']")).ToBeFocusedAsync();
        await ExpectDetailsAsync(details, entries[0]);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"{entries[0].GetProperty("summary").GetString()}, on 2024-01-10, version 1" })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.Locator("#timeline-picture .marker[data-version='2']")).ToBeFocusedAsync();
        await ExpectDetailsAsync(details, entries[1]);
        await page.Keyboard.PressAsync("End");
        await Expect(page.Locator("#timeline-picture .marker[data-version='3']")).ToBeFocusedAsync();
        await ExpectDetailsAsync(details, entries[2]);

        await BrowserHost.AssertAxeCleanAsync(page);
        await page.Locator("section[aria-labelledby='picture-heading']").ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-timeline.png") });
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task on_a_touch_screen_tapping_a_marker_shows_its_details()
    {
        var id = await ProposeAsync("ui-tap", "2024-01-10");
        await PostAsync(id, "negotiation-rounds", new { occurredOn = "2024-02-02", location = "Brussels" });
        var entries = await TimelineAsync(id);
        var page = await host.SignedInPageAsync($"#/agreements/{id}", touch: true);

        await page.Locator("#timeline-picture [data-type='negotiation_round_held']").TapAsync();

        await ExpectDetailsAsync(page.Locator("#timeline-details"), entries[1]);
        await Expect(page.Locator("#timeline-picture .marker.chosen")).ToHaveAttributeAsync("data-version", "2");
    }

    [Fact]
    public async Task on_a_phone_the_timeline_is_a_line_of_cards_with_both_dates_and_a_tap_opens_a_cards_details()
    {
        var id = await ProposeAsync("ui-cards", "2024-01-10");
        await PostAsync(id, "signatures", new { party = "JP", occurredOn = "2024-03-01" });
        await PostAsync(id, "signatures", new { party = "KR", occurredOn = "2024-03-02" });
        await PostAsync(id, "retractions", new { version = 3, reason = "KR has not signed yet" });
        var entries = await TimelineAsync(id);
        var page = await host.SignedInPageAsync($"#/agreements/{id}", 390, 900, touch: true);
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");

        await Expect(page.Locator("#timeline-picture svg")).ToBeHiddenAsync();
        var cards = page.Locator("#timeline-picture .timeline-cards > li");
        await Expect(cards).ToHaveCountAsync(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            await Expect(cards.Nth(i)).ToBeVisibleAsync();
            await Expect(cards.Nth(i)).ToContainTextAsync(entry.GetProperty("summary").GetString()!);
            await Expect(cards.Nth(i)).ToContainTextAsync($"Occurred on {entry.GetProperty("occurredOn").GetString() ?? "—"}", Shown);
            await Expect(cards.Nth(i)).ToContainTextAsync($"Recorded at (UTC) {IsoSeconds(entry)}", Shown);
        }

        var retracted = cards.Nth(entries.FindIndex(e => e.GetProperty("retracted").GetBoolean()));
        await Expect(retracted).ToContainTextAsync("KR signed");
        await Expect(retracted).ToContainTextAsync("Retracted");
        Assert.Contains("line-through", await retracted.Locator(".card-summary .retracted").EvaluateAsync<string>("s => getComputedStyle(s).textDecorationLine"));

        await cards.Nth(1).GetByText("Details of version 2").TapAsync();
        var more = cards.Nth(1).Locator(".card-more");
        await Expect(more).ToBeVisibleAsync();
        await Expect(more).ToContainTextAsync("party_signed");
        await Expect(more).ToContainTextAsync("officer");

        await BrowserHost.AssertAxeCleanAsync(page);
        await page.Locator("section[aria-labelledby='picture-heading']").ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-timeline-phone.png") });
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task on_a_phone_every_retract_button_of_the_events_table_is_in_reach()
    {
        var id = await ProposeAsync("ui-retract-phone", "2024-01-10");
        await PostAsync(id, "signatures", new { party = "JP", occurredOn = "2024-03-01" });
        await PostAsync(id, "signatures", new { party = "KR", occurredOn = "2024-03-02" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", 390, 900);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");

        // In the window as laid out, with nothing scrolled sideways (a box's x does not move when the page scrolls down).
        foreach (var version in new[] { 2, 3 })
        {
            var box = await page.GetByRole(AriaRole.Button, new() { Name = $"Retract version {version}" }).BoundingBoxAsync();
            Assert.InRange(box!.X, 0, 390 - box.Width);
        }

        Assert.True(await page.Locator("#events").EvaluateAsync<bool>("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"), "the events table scrolls sideways");

        await BrowserHost.AssertAxeCleanAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Retract version 3" }).ClickAsync();
        await Expect(page.GetByLabel("Version to retract (required)")).ToHaveValueAsync("3");
    }

    private static async Task ExpectDetailsAsync(ILocator details, JsonElement entry)
    {
        await Expect(details).ToBeVisibleAsync();
        await Expect(details).ToContainTextAsync($"Version {entry.GetProperty("version").GetInt64()}: {entry.GetProperty("summary").GetString()}");
        await Expect(details).ToContainTextAsync($"Type {entry.GetProperty("type").GetString()}", Shown);
        await Expect(details).ToContainTextAsync($"Occurred on {entry.GetProperty("occurredOn").GetString()}", Shown);
        await Expect(details).ToContainTextAsync($"Recorded at (UTC) {IsoSeconds(entry)}", Shown);
    }

    private static string IsoSeconds(JsonElement entry) =>
        FractionOfSecond().Replace(entry.GetProperty("recordedAt").GetString()!, "Z");

    private async Task<string> ProposeAsync(string prefix, string occurredOn)
    {
        var id = Given.NewId(prefix);
        await PostAsync(null, "", new { id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn });
        return id;
    }

    private async Task PostAsync(string? id, string route, object body)
    {
        using var client = host.OfficerClient();
        var answer = await client.PostAsJsonAsync(id is null ? "/agreements" : $"/agreements/{id}/{route}", body);
        Assert.True(answer.IsSuccessStatusCode, $"{route}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    private async Task<List<JsonElement>> TimelineAsync(string id)
    {
        using var client = host.OfficerClient();
        var timeline = await client.GetFromJsonAsync<JsonElement>($"/agreements/{id}/timeline");
        return [.. timeline.GetProperty("entries").EnumerateArray()];
    }

    [GeneratedRegex(@"\.\d+Z$")]
    private static partial Regex FractionOfSecond();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDate();
}
