using System.Net.Http.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Issue #21, point 3: time in plain words — the two clocks labelled by what they mean, UTC typed as ISO with the
/// reader's local time echoed, a picker of the agreement's recording moments, and in a past view a note of what the
/// ledger learned since (later events, and which shown events were retracted later), with an audit line that says
/// it checked more than the view shows.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TimeControlsTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    /// <summary>Proposed (v1), a source (v2), a round (v3), and the source retracted (v4).</summary>
    private async Task<string> HistoryAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        var client = host.Service.Client;
        (await client.PostAsJsonAsync("/agreements", new { id, title = "Clocks " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = Array.Empty<string>(), occurredOn = "2024-01-10" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = "Wrong wire", occurredOn = "2024-01-11" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-02", location = "Tokyo" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/agreements/{id}/retractions", new { version = 2, reason = "Not this agreement." })).EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task a_recording_moment_picked_shows_the_agreement_as_known_then_and_what_was_learned_since()
    {
        var id = await HistoryAsync("ui-clocks");
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");

        var picker = page.GetByLabel("Or pick a moment this agreement was recorded");
        await Expect(picker.Locator("option")).ToHaveCountAsync(5);
        await picker.SelectOptionAsync(new SelectOptionValue { Index = 2 });
        var known = page.GetByLabel("What the ledger knew on (UTC)");
        await Expect(known).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"));
        await Expect(page.Locator("#as-of-local")).ToContainTextAsync("your time (UTC)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();

        await Expect(page.Locator("#time-banner")).ToContainTextAsync("(what the ledger knew then)");
        await Expect(page.Locator("#version")).ToHaveTextAsync("2");
        await Expect(page.Locator("#since-then")).ToContainTextAsync("Since then the ledger recorded 2 more events (v3–v4):");
        await Expect(page.Locator("#since-then")).ToContainTextAsync("Negotiation round held in Tokyo");
        await Expect(page.Locator("#events tr[data-type='source_cited']")).ToContainTextAsync("retracted later (Not this agreement.)");
        await Expect(page.Locator(".audit")).ToContainTextAsync("That is every event recorded up to now; this view shows 2.");

        // The present view has nothing of it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to now" }).ClickAsync();
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");
        await Expect(page.Locator("#since-then")).ToHaveCountAsync(0);
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task a_time_typed_in_another_format_is_refused_at_its_field_and_the_view_stays()
    {
        var id = await HistoryAsync("ui-clocks-typed");
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");
        var url = page.Url;

        await page.GetByLabel("What the ledger knew on (UTC)").FillAsync("02/10/2025 2:30 PM");
        await page.GetByLabel("What had happened in the world by").FillAsync("1 Feb 2024");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();

        await Expect(page.Locator("#as-of-error")).ToHaveTextAsync("Enter when the ledger knew it as a date or a UTC date and time, for example 2025-10-02 14:30:00");
        await Expect(page.Locator("#effective-on-error")).ToHaveTextAsync("Enter what had happened by as a date, for example 2025-10-02");
        await Expect(page.GetByLabel("What the ledger knew on (UTC)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("What the ledger knew on (UTC)")).ToBeFocusedAsync();
        Assert.Equal(url, page.Url);

        // A bare ISO date is the end of that UTC day; the echo says so.
        await page.GetByLabel("What the ledger knew on (UTC)").FillAsync("2020-01-01");
        await Expect(page.Locator("#as-of-local")).ToContainTextAsync("All of 2020-01-01 (UTC)");
        await page.GetByLabel("What had happened in the world by").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("asOf=2020-01-01"));
        await Expect(page.Locator("main .alert")).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_past_view_with_its_note_passes_axe_and_fits(int width)
    {
        var id = await HistoryAsync("ui-clocks-axe");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        var picker = page.GetByLabel("Or pick a moment this agreement was recorded");
        await Expect(picker.Locator("option")).ToHaveCountAsync(5);
        await picker.SelectOptionAsync(new SelectOptionValue { Index = 3 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();
        await Expect(page.Locator("#version")).ToHaveTextAsync("3");
        await Expect(page.Locator("#since-then")).ToContainTextAsync("1 more event (v4)");

        await BrowserHost.AssertAxeCleanAsync(page);
    }
}
