using System.Net.Http.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>The page at / in headless Chromium, against the real service with the demo agreements.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebPageTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Each test closes the pages it opened (and their event streams).</summary>
    public Task DisposeAsync() => host.ClosePagesAsync();

    [Fact]
    public async Task a_tab_beyond_the_streams_a_user_may_hold_says_live_updates_are_paused_and_follows_once_one_closes()
    {
        var pages = new List<IPage>();
        for (var i = 0; i < 8; i++)
        {
            var page = await host.SignedInPageAsync();
            await Expect(page.Locator("#live")).ToHaveTextAsync("Live");
            pages.Add(page);
        }

        var ninth = await host.SignedInPageAsync();
        await Expect(ninth.Locator("#live")).ToContainTextAsync("Live updates paused");

        await pages[0].Context.CloseAsync();
        await Expect(ninth.Locator("#live")).ToHaveTextAsync("Live", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task an_agreement_recorded_through_the_forms_appears_on_the_timeline_and_the_as_of_control_shows_the_earlier_state()
    {
        var id = Given.NewId("ui");
        var page = await host.SignedInPageAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Record a new agreement" }).ClickAsync();
        await page.GetByLabel("Title (required)").FillAsync("Browser-recorded partnership");
        await page.GetByLabel("Id", new() { Exact = true }).FillAsync(id);
        await page.GetByLabel("Kind (required)").SelectOptionAsync("partnership");
        await page.GetByLabel("Parties (required)").FillAsync("JP GB");
        await page.GetByLabel("Areas", new() { Exact = true }).FillAsync("defence-industry");
        await page.GetByLabel("Proposed on", new() { Exact = true }).FillAsync("2024-01-10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the proposal" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"#/agreements/{id}"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Browser-recorded partnership" })).ToBeVisibleAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        await Expect(page.Locator("#timeline-picture [data-stage='Proposed']")).ToHaveCountAsync(1);

        // A moment that lies after the proposal and before the signatures, to the second.
        await Task.Delay(1200);
        var between = DateTime.UtcNow;
        await Task.Delay(1200);

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "A party signed" });
        foreach (var party in new[] { "JP", "GB" })
        {
            await page.GetByLabel("Party (required)").FillAsync(party);
            await page.GetByLabel("Signed on").FillAsync("2024-03-01");
            await page.GetByLabel("Place").FillAsync("Tokyo");
            await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
            await Expect(page.Locator("#recorded")).ToContainTextAsync($"Recorded: a party signed (version {(party == "JP" ? 2 : 3)})");
        }

        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");
        await Expect(page.Locator("#version")).ToHaveTextAsync("3");
        await Expect(page.Locator("#timeline-picture [data-type='party_signed']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#timeline-picture [data-stage='Signed']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#events")).ToContainTextAsync("GB signed in Tokyo");
        await Expect(page.Locator(".audit")).ToContainTextAsync("verified");
        await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-agreement.png"), FullPage = true });

        await page.GetByLabel("What the ledger knew on (UTC)").FillAsync(between.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();

        await Expect(page.Locator("#time-banner")).ToContainTextAsync("As known at");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        await Expect(page.Locator("#version")).ToHaveTextAsync("1");
        await Expect(page.Locator("#timeline-picture [data-type='party_signed']")).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("What happened?")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to now" }).ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");

        await page.GetByLabel("What had happened in the world by").FillAsync("2024-02-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show it then" }).ClickAsync();
        await Expect(page.Locator("#time-banner")).ToContainTextAsync("as in effect on 2024-02-01");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task the_apis_validation_and_lifecycle_messages_show_inline_and_nothing_is_recorded()
    {
        var id = await ProposeThroughApiAsync("ui-refused");
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Funding committed" });
        await page.GetByLabel("Funder (required)").FillAsync("JP");
        await page.GetByLabel("Amount (required)").FillAsync("1000000");
        await page.GetByLabel("Currency (required)").FillAsync("JPY");
        await page.GetByLabel("Committed on").FillAsync("2099-01-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();

        var occurredOn = page.GetByLabel("Committed on");
        await Expect(occurredOn).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator(".field-error")).ToContainTextAsync("future");
        await Expect(page.Locator(".alert")).ToContainTextAsync("(400)");

        await occurredOn.FillAsync("2024-02-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        // Funding before every party signed breaks the lifecycle: the API's 409 detail is shown as it is.
        await Expect(page.Locator(".alert")).ToContainTextAsync("(409)");
        await Expect(page.Locator(".alert")).ToContainTextAsync("Recording this would break the lifecycle");
        await Expect(occurredOn).Not.ToHaveAttributeAsync("aria-invalid", "true");

        await page.ReloadAsync();
        await Expect(page.Locator("#version")).ToHaveTextAsync("1");
        using var client = host.OfficerClient();
        var stored = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/agreements/{id}");
        Assert.Equal(1, stored.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task an_event_recorded_elsewhere_appears_without_reloading()
    {
        var id = await ProposeThroughApiAsync("ui-live");
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#version")).ToHaveTextAsync("1");

        using var client = host.OfficerClient();
        (await client.PostAsJsonAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-02", location = "Brussels" })).EnsureSuccessStatusCode();

        await Expect(page.Locator("#version")).ToHaveTextAsync("2", new() { Timeout = 10_000 });
        await Expect(page.Locator("#status")).ToHaveTextAsync("Negotiating");
        await Expect(page.Locator("#timeline-picture [data-type='negotiation_round_held']")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task a_mistaken_event_is_retracted_from_its_row_with_an_idempotency_key_and_stays_visible_as_retracted()
    {
        var id = await ProposeThroughApiAsync("ui-retract");
        using var client = host.OfficerClient();
        (await client.PostAsJsonAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-01" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/agreements/{id}/signatures", new { party = "KR", occurredOn = "2024-03-02" })).EnsureSuccessStatusCode();
        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Retract version 3" }).ClickAsync();
        await Expect(page.GetByLabel("Version to retract (required)")).ToHaveValueAsync("3");
        await Expect(page.GetByLabel("Why it was wrong (required)")).ToBeFocusedAsync();
        await page.GetByLabel("Why it was wrong (required)").FillAsync("KR has not signed yet");
        var request = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync(),
            r => r.Method == "POST" && r.Url.EndsWith($"/agreements/{id}/retractions", StringComparison.Ordinal));

        Assert.StartsWith("ui-", await request.HeaderValueAsync("idempotency-key"), StringComparison.Ordinal);
        await Expect(page.Locator("#recorded")).ToContainTextAsync("version 4");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        await Expect(page.Locator("#events tr.retracted")).ToContainTextAsync("KR signed");
        await Expect(page.Locator("#events tr[data-type='event_retracted']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#timeline-picture [data-type='party_signed']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retract version 3" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task a_ratification_and_an_entry_into_force_recorded_through_the_forms_fill_the_status_table()
    {
        var id = await ProposeThroughApiAsync("ui-treaty");
        using var client = host.OfficerClient();
        foreach (var party in new[] { "JP", "KR" })
        {
            (await client.PostAsJsonAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-03-01" })).EnsureSuccessStatusCode();
        }

        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");
        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Consent to be bound (ratification, accession…)" });
        await page.GetByLabel("Party (required)").FillAsync("KR");
        await page.GetByLabel("Instrument (required)").SelectOptionAsync("ratification");
        await page.GetByLabel("Deposited on").FillAsync("2024-04-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#recorded")).ToContainTextAsync("version 4");
        await Expect(page.Locator("#treaty-status tr[data-party='KR']")).ToContainTextAsync("ratification, 2024-04-01");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Entry into force" });
        await page.GetByLabel("In force from").FillAsync("2024-05-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#recorded")).ToContainTextAsync("version 5");
        await Expect(page.Locator("#treaty-status tr[data-party='KR']")).ToContainTextAsync("from 2024-05-01");
        await Expect(page.Locator("#treaty-status tr[data-party='JP']")).Not.ToContainTextAsync("from 2024-05-01");
        await Expect(page.Locator("main h2", new() { HasText = "Treaty status" })).ToContainTextAsync("in force");
        await Expect(page.Locator("#events")).ToContainTextAsync("entered into force for KR");
        await Expect(page.Locator("#timeline-picture [data-type='entered_into_force']")).ToHaveCountAsync(1);

        // A refusal lands at its field: JP has not consented, so it cannot withdraw.
        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "A party withdraws (denunciation)" });
        await page.GetByLabel("Party (required)").FillAsync("JP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("JP has not consented");
        await Expect(page.Locator("#version")).ToHaveTextAsync("5");
    }

    [Fact]
    public async Task on_a_phone_a_provisional_application_a_reservation_and_a_denunciation_are_recorded_through_the_forms()
    {
        var id = await ProposeThroughApiAsync("ui-treaty-phone");
        using var client = host.OfficerClient();
        foreach (var party in new[] { "JP", "KR" })
        {
            (await client.PostAsJsonAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-03-01" })).EnsureSuccessStatusCode();
        }

        (await client.PostAsJsonAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "approval", occurredOn = "2024-03-10" })).EnsureSuccessStatusCode();
        var page = await host.SignedInPageAsync($"#/agreements/{id}", 390, 900);
        await Expect(page.Locator("#treaty-status tr[data-party='JP']")).ToContainTextAsync("approval, 2024-03-10");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Provisional application" });
        await page.GetByLabel("Party (required)").FillAsync("KR");
        await page.GetByLabel("Applied from").FillAsync("2024-03-05");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#treaty-status tr[data-party='KR']")).ToContainTextAsync("from 2024-03-05");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Reservation, declaration or objection" });
        await page.GetByLabel("Party (required)").FillAsync("KR");
        await page.GetByLabel("Kind (required)").SelectOptionAsync("reservation");
        await page.GetByLabel("Text (required)").FillAsync("Article 4 does not bind KR.");
        await page.GetByLabel("Made on").FillAsync("2024-03-06");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#treaty-status tr[data-party='KR']")).ToContainTextAsync("reservation (v6, 2024-03-06)");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "A party withdraws (denunciation)" });
        await page.GetByLabel("Party (required)").FillAsync("JP");
        await page.GetByLabel("Notified on").FillAsync("2024-04-01");
        await page.GetByLabel("Takes effect on").FillAsync("2099-04-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#treaty-status tr[data-party='JP']")).ToContainTextAsync("notified 2024-04-01, effective 2099-04-01");
        await Expect(page.Locator("#version")).ToHaveTextAsync("7");

        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Fact]
    public async Task an_event_altered_behind_the_services_back_shows_as_not_verified()
    {
        var id = await ProposeThroughApiAsync("ui-tampered");
        using var client = host.OfficerClient();
        (await client.PostAsJsonAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-02", location = "Brussels" })).EnsureSuccessStatusCode();
        await using (var connection = new Npgsql.NpgsqlConnection(host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var edit = new Npgsql.NpgsqlCommand(
                "update ledger.mt_events set data = jsonb_set(data, '{location}', '\"Geneva\"') where stream_id = $1 and version = 2", connection);
            edit.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var page = await host.SignedInPageAsync($"#/agreements/{id}");

        await Expect(page.Locator(".audit.failed")).ToContainTextAsync("NOT verified");
        await Expect(page.Locator(".audit.failed li")).ToContainTextAsync("version 2");
    }

    [Fact]
    public async Task a_submission_answered_503_with_retry_after_is_retried_once_with_its_key_and_recorded_once()
    {
        // Recorded through another node, so the page's node keeps no state of the agreement and must read it.
        var id = Given.NewId("ui-retry");
        using var client = host.OfficerClient();
        await using (var other = await ServiceProcess.StartAsync(host.ConnectionString))
        {
            other.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BrowserHost.OfficerToken);
            (await other.Client.PostAsJsonAsync("/agreements", new { id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10" }))
                .EnsureSuccessStatusCode();
            (await other.Client.PostAsJsonAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-02", location = "Brussels" })).EnsureSuccessStatusCode();
        }

        var page = await host.SignedInPageAsync($"#/agreements/{id}");
        await Expect(page.Locator("#version")).ToHaveTextAsync("2");

        // The stored state falls behind the events: the service repairs it and answers 503 Retry-After: 1.
        await using (var connection = new Npgsql.NpgsqlConnection(host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var stale = new Npgsql.NpgsqlCommand(
                "update ledger.mt_doc_agreement set data = jsonb_set(data, '{version}', '1'), mt_version = 1 where id = $1", connection);
            stale.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
            Assert.Equal(1, await stale.ExecuteNonQueryAsync());
        }

        var commands = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                lock (commands)
                {
                    commands.Add(request.Headers.TryGetValue("idempotency-key", out var key) ? key : "(none)");
                }
            }
        };
        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Negotiation round" });
        await page.GetByLabel("Held on").FillAsync("2024-03-03");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();

        await Expect(page.Locator("#recorded")).ToContainTextAsync("Recorded: negotiation round (version 3)", new() { Timeout = 10_000 });
        await Expect(page.Locator("#version")).ToHaveTextAsync("3");
        Assert.Equal(2, commands.Count);
        Assert.Equal(commands[0], commands[1]);
        var timeline = await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/agreements/{id}/timeline");
        Assert.Equal(3, timeline.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task targets_are_drawn_and_an_overdue_one_is_flagged()
    {
        var id = await ProposeThroughApiAsync("ui-target");
        using var client = host.OfficerClient();
        (await client.PostAsJsonAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = "2024-06-30" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/agreements/{id}/targets", new { milestone = "Negotiating", targetDate = "2099-06-30" })).EnsureSuccessStatusCode();

        var page = await host.SignedInPageAsync($"#/agreements/{id}");

        await Expect(page.Locator("#timeline-picture .target.overdue[data-milestone='Signed']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#timeline-picture .target.pending[data-milestone='Negotiating']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#targets")).ToContainTextAsync("Signed by 2024-06-30: OVERDUE");
    }

    [Fact]
    public async Task the_list_filters_by_party_and_status_and_links_to_each_agreement()
    {
        var page = await host.SignedInPageAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Global Combat Air Programme (GCAP) treaty" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-list.png"), FullPage = true });

        await page.GetByLabel("Party", new() { Exact = true }).FillAsync("KR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("party=KR"));
        var rows = page.Locator("tbody tr");
        await Expect(rows.First).ToBeVisibleAsync();
        foreach (var parties in await page.Locator("tbody tr td:nth-child(4)").AllTextContentsAsync())
        {
            Assert.Contains("KR", parties, StringComparison.Ordinal);
        }

        await page.GetByLabel("Status").SelectOptionAsync("Withdrawn");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByText("0 agreements")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Global Combat Air Programme (GCAP) treaty" }).ClickAsync();
        await Expect(page.Locator("#status")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#sources li").First).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("#/", 1366)]
    [InlineData("#/", 390)]
    [InlineData("#/agreements/gcap-treaty", 1366)]
    [InlineData("#/agreements/gcap-treaty", 390)]
    [InlineData("#/propose", 390)]
    public async Task pages_pass_axe_and_fit_laptop_and_phone_widths(string hash, int width)
    {
        var page = await host.SignedInPageAsync(hash, width, 900);
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
        // The event stream stays open, so "network idle" never comes: wait for the content instead.
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Loading…");
        if (hash.Contains("agreements", StringComparison.Ordinal))
        {
            await Expect(page.Locator("#timeline-picture")).ToBeVisibleAsync();
            await Expect(page.Locator(".audit")).Not.ToContainTextAsync("checking");
        }

        await BrowserHost.AssertAxeCleanAsync(page);
        if (width < 500 && hash.Contains("gcap", StringComparison.Ordinal))
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-agreement-phone.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task the_keyboard_reaches_the_skip_link_first_and_the_recording_form_by_tab()
    {
        var page = await host.SignedInPageAsync("#/agreements/gcap-treaty");
        await Expect(page.Locator("#status")).Not.ToBeEmptyAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#status")).Not.ToBeEmptyAsync();

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));

        for (var i = 0; i < 80 && await page.EvaluateAsync<string>("document.activeElement.id") != "command"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Equal("command", await page.EvaluateAsync<string>("document.activeElement.id"));
    }

    private async Task<string> ProposeThroughApiAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        using var client = host.OfficerClient();
        var answer = await client.PostAsJsonAsync("/agreements", new
        {
            id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10",
        });
        answer.EnsureSuccessStatusCode();
        return id;
    }
}
