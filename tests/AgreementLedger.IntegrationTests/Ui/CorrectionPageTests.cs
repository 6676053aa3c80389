using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Corrections as corrections, at laptop and phone widths: "Correct…" on an event opens its own form filled in with
/// what it recorded and records one correction (the retraction and the replacement together); the retraction stands
/// under the event it retracted, linked both ways with the replacement; a fact recorded late says after which event.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CorrectionPageTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    /// <summary>Proposed 2024-01-10 (v1); JP signed (v2); GB signed 2024-02-01 in London (v3); JP funds, after both (v4).</summary>
    private async Task<string> FundedAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await host.PostAsync("/agreements", new { id, title = "Programme " + id, kind = "programme", parties = new[] { "JP", "GB" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-01-20" });
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-01", place = "London" });
        await host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 100, currency = "JPY", occurredOn = "2024-02-05" });
        return id;
    }

    [Fact]
    public async Task a_live_update_redraws_the_page_and_leaves_the_focus_on_the_event_the_reader_was_at()
    {
        var id = await FundedAsync("ui-focus");
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");
        await page.Locator("#event-2").FocusAsync();
        await Expect(page.Locator("#event-2")).ToBeFocusedAsync();

        // Another user records on this agreement: the page learns it from the live feed and draws itself again.
        await host.PostAsync($"/agreements/{id}/funding", new { funder = "GB", amount = 50, currency = "GBP", occurredOn = "2024-02-06" });
        await Expect(page.Locator("#version")).ToHaveTextAsync("5", new() { Timeout = 15_000 });
        await Expect(page.Locator("#event-2")).ToBeFocusedAsync();
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task correct_opens_the_events_form_filled_in_and_re_dates_a_signature_that_funding_depends_on(int width)
    {
        var id = await FundedAsync("ui-correct");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");

        await page.GetByRole(AriaRole.Button, new() { Name = "Correct version 3" }).ClickAsync();
        var form = page.Locator("form[data-command^='Correct version 3']");
        await Expect(form.GetByLabel("Record instead (required)")).ToBeFocusedAsync();
        await Expect(form.GetByLabel("Record instead (required)")).ToHaveValueAsync("party_signed");
        await Expect(form.GetByLabel("Party (required)")).ToHaveValueAsync("GB");
        await Expect(form.GetByLabel("Signed on")).ToHaveValueAsync("2024-02-01");
        await Expect(form.GetByLabel("Place")).ToHaveValueAsync("London");

        await form.GetByLabel("Signed on").FillAsync("2024-02-02");
        await form.GetByLabel("Why it was wrong (required)").FillAsync("GB signed a day later than first reported.");
        var request = await page.RunAndWaitForRequestAsync(
            () => form.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync(),
            r => r.Method == "POST" && r.Url.EndsWith($"/agreements/{id}/corrections", StringComparison.Ordinal));

        using (var body = JsonDocument.Parse(request.PostData!))
        {
            Assert.Equal(3, body.RootElement.GetProperty("version").GetInt32());
            Assert.Equal("GB signed a day later than first reported.", body.RootElement.GetProperty("reason").GetString());
            var replacement = body.RootElement.GetProperty("replacement");
            Assert.Equal("party_signed", replacement.GetProperty("type").GetString());
            Assert.Equal("GB", replacement.GetProperty("party").GetString());
            Assert.Equal("2024-02-02", replacement.GetProperty("occurredOn").GetString());
            Assert.Equal("London", replacement.GetProperty("place").GetString());
        }

        Assert.StartsWith("ui-", await request.HeaderValueAsync("idempotency-key"), StringComparison.Ordinal);
        await Expect(page.Locator("#recorded")).ToContainTextAsync("the correction of version 3 (versions 5 and 6)");
        await Expect(page.Locator("#version")).ToHaveTextAsync("6");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Funded");

        // The retraction (v5) stands right under the event it retracted (v3), which links to it and to its replacement (v6).
        var rows = await page.Locator("#events tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.Equal(Array.IndexOf(rows, "event-3") + 1, Array.IndexOf(rows, "event-5"));
        var corrected = page.Locator("#event-3");
        await Expect(corrected).ToHaveClassAsync("retracted");
        await Expect(corrected).ToContainTextAsync("(retracted by v5: GB signed a day later than first reported.; corrected by v6)");
        await corrected.GetByRole(AriaRole.Link, new() { Name = "v6" }).ClickAsync();
        await Expect(page.Locator("#event-6")).ToBeFocusedAsync();
        await Expect(page.Locator("#event-6")).ToContainTextAsync("GB signed");
        await page.Locator("#event-6").GetByRole(AriaRole.Link, new() { Name = "v3" }).ClickAsync();
        await Expect(corrected).ToBeFocusedAsync();
        await page.Locator("#event-5").GetByRole(AriaRole.Link, new() { Name = "v3" }).ClickAsync();
        await Expect(corrected).ToBeFocusedAsync();
        await corrected.GetByRole(AriaRole.Link, new() { Name = "v5" }).ClickAsync();
        await Expect(page.Locator("#event-5")).ToBeFocusedAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Correct version 3" })).ToHaveCountAsync(0);

        var stored = await host.TimelineAsync(id);
        Assert.Equal(6, stored.Count);
        Assert.Equal(6, stored.Single(e => e.GetProperty("version").GetInt64() == 3).GetProperty("correctedBy").GetInt64());
        Assert.Equal("2024-02-02", stored.Single(e => e.GetProperty("version").GetInt64() == 6).GetProperty("occurredOn").GetString());
        await BrowserHost.AssertAxeCleanAsync(page);
        if (width < 500)
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-correction-phone.png"), FullPage = true });
        }
        else
        {
            await page.Locator("#events").ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-correction.png") });
        }
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_refused_correction_lands_at_the_replacements_field_and_appends_nothing(int width)
    {
        var id = await FundedAsync("ui-correct-refused");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("4");

        await page.GetByRole(AriaRole.Button, new() { Name = "Correct version 3" }).ClickAsync();
        var form = page.Locator("form[data-command^='Correct version 3']");
        // Funding (2024-02-05) needs every signature before it: GB re-dated after it breaks the corrected history.
        await form.GetByLabel("Signed on").FillAsync("2024-03-01");
        await form.GetByLabel("Why it was wrong (required)").FillAsync("Wrong date.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync();

        var summary = form.Locator(".error-summary");
        await Expect(summary).ToBeFocusedAsync();
        await Expect(summary).ToContainTextAsync("(409)");
        Assert.StartsWith("Error: ", await page.TitleAsync(), StringComparison.Ordinal);
        Assert.Equal(4, await host.VersionAsync(id));

        // Dated before the proposal: a 400 named replacement.occurredOn, shown at the date field.
        await form.GetByLabel("Signed on").FillAsync("2023-12-01");
        await form.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync();
        await Expect(summary).ToContainTextAsync("(400)");
        await Expect(form.GetByLabel("Signed on")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(form.Locator(".field-error")).ToContainTextAsync("must not be before the proposal's occurredOn (2024-01-10)");
        Assert.Equal(4, await host.VersionAsync(id));
        Assert.Equal(4, (await host.TimelineAsync(id)).Count);
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_replacement_may_be_of_another_type_and_keeps_what_was_typed_in_the_fields_they_share(int width)
    {
        var id = Given.NewId("ui-correct-type");
        await host.PostAsync("/agreements", new { id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        await host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", location = "Seoul", summary = "The texts were agreed." });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Correct version 2" }).ClickAsync();
        var form = page.Locator("form[data-command^='Correct version 2']");
        await Expect(form.GetByLabel("Where")).ToHaveValueAsync("Seoul");
        await form.GetByLabel("Record instead (required)").SelectOptionAsync("terms_agreed");
        await Expect(form.GetByLabel("Record instead (required)")).ToBeFocusedAsync();
        await Expect(form.GetByLabel("Where")).ToHaveCountAsync(0);
        await Expect(form.GetByLabel("Agreed on")).ToHaveValueAsync("2024-02-01");
        await Expect(form.GetByLabel("Summary")).ToHaveValueAsync("The texts were agreed.");
        await form.GetByLabel("Why it was wrong (required)").FillAsync("It was the terms, not a round.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync("Negotiated");
        await Expect(page.Locator("#event-4")).ToHaveAttributeAsync("data-type", "terms_agreed");
        await Expect(page.Locator("#event-4")).ToContainTextAsync("corrects v2");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_fact_recorded_late_says_after_which_event_it_was_recorded(int width)
    {
        var id = Given.NewId("ui-late");
        await host.PostAsync("/agreements", new { id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        await host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-05-01" });
        await host.PostAsync($"/agreements/{id}/sources", new { publisher = "Report", occurredOn = "2024-06-01" });
        await host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-01", location = "Tokyo" });
        await host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", location = "Seoul" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("5");

        // Effective order v1, v5, v4, v2, v3: v4 came in after v3 (the newest it precedes), v5 after v4.
        await Expect(page.Locator("#event-4 .late")).ToHaveTextAsync("recorded after v3");
        await Expect(page.Locator("#event-5 .late")).ToHaveTextAsync("recorded after v4");
        foreach (var version in new[] { 1, 2, 3 })
        {
            await Expect(page.Locator($"#event-{version} .late")).ToHaveCountAsync(0);
        }

        await page.Locator("#event-5 .late").GetByRole(AriaRole.Link, new() { Name = "v4" }).ClickAsync();
        await Expect(page.Locator("#event-4")).ToBeFocusedAsync();
        await BrowserHost.AssertAxeCleanAsync(page);
    }
}
