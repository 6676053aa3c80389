using System.Net.Http.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Refusals on the agreement page, at laptop and phone widths: the GOV.UK error pattern, a 409 at its field with a link
/// to the event it conflicts with, party codes upper-cased as typed, pick lists and next-step buttons from the state.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RefusalPageTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_second_signature_and_a_non_party_are_told_apart_at_the_party_field_with_a_linked_summary(int width)
    {
        var id = await ProposedAsync("ui-twice");
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#version")).ToHaveTextAsync("2");

        await page.Locator(".next-steps").GetByRole(AriaRole.Button, new() { Name = "A party signed" }).ClickAsync();
        var party = page.GetByLabel("Party (required)");
        await Expect(party).ToBeFocusedAsync();
        Assert.Equal(["KR"], await page.Locator($"#{await party.GetAttributeAsync("list")} option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        await party.PressSequentiallyAsync("jp");
        await Expect(party).ToHaveValueAsync("JP");
        await page.GetByLabel("Signed on").FillAsync("2024-02-03");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();

        var summary = page.Locator(".error-summary");
        await Expect(summary).ToBeFocusedAsync();
        await Expect(summary.GetByRole(AriaRole.Heading)).ToHaveTextAsync("There is a problem");
        Assert.StartsWith("Error: ", await page.TitleAsync(), StringComparison.Ordinal);
        await Expect(party).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator(".field-error")).ToContainTextAsync("JP already signed on 2024-02-01 (event 2)");
        await BrowserHost.AssertAxeCleanAsync(page);

        await summary.GetByRole(AriaRole.Link, new() { Name = "JP already signed on 2024-02-01 (event 2)" }).ClickAsync();
        await Expect(party).ToBeFocusedAsync();
        await page.Locator(".field-error").GetByRole(AriaRole.Link, new() { Name = "See event 2 (party_signed, 2024-02-01)" }).ClickAsync();
        await Expect(page.Locator("#event-2")).ToBeFocusedAsync();
        await Expect(page.Locator("#event-2")).ToContainTextAsync("JP signed");
        Assert.Equal(2, await host.VersionAsync(id));

        await party.FillAsync("");
        await party.PressSequentiallyAsync("nz");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator(".field-error")).ToContainTextAsync("NZ is not a party: add it first");
        await Expect(page.Locator(".field-error").GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
        await Expect(summary.GetByRole(AriaRole.Link)).ToHaveTextAsync("NZ is not a party: add it first");
        Assert.Equal(2, await host.VersionAsync(id));

        await party.FillAsync("KR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#recorded")).ToContainTextAsync("version 3");
        await Expect(page.Locator(".error-summary")).ToHaveCountAsync(0);
        Assert.False((await page.TitleAsync()).StartsWith("Error:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_refusal_of_the_stage_links_from_the_summary_to_the_event_that_set_it(int width)
    {
        var id = await ProposedAsync("ui-stage");
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" });
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "KR", occurredOn = "2024-02-05" });
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Signed");

        await page.GetByLabel("What happened?").SelectOptionAsync(new SelectOptionValue { Label = "Negotiation round" });
        await page.GetByLabel("Held on").FillAsync("2024-03-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();

        var link = page.Locator(".error-summary").GetByRole(AriaRole.Link);
        await Expect(link).ToHaveTextAsync("A negotiation round can be held only while the agreement is Proposed or Negotiating; it has been Signed since 2024-02-05 (event 3)");
        await Expect(page.GetByLabel("Held on")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await link.ClickAsync();
        await Expect(page.Locator("#event-3")).ToBeFocusedAsync();
        await BrowserHost.AssertAxeCleanAsync(page);
        Assert.Equal(3, await host.VersionAsync(id));
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task next_steps_offer_only_what_the_state_allows_and_forms_pick_from_the_agreements_parties_and_deliverables(int width)
    {
        var id = await ProposedAsync("ui-next");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900);
        var steps = page.Locator(".next-steps button");
        await Expect(steps).ToHaveTextAsync(["Negotiation round", "Terms agreed", "A party signed", "A party joined", "Plan a deliverable",
            "Set a target date", "Cite a source", "Amendment", "Withdraw", "Consent to be bound (ratification, accession…)", "Reservation, declaration or objection"]);

        foreach (var party in new[] { "JP", "KR" })
        {
            await host.PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-02-01" });
        }

        await host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "d1", name = "Radar", occurredOn = "2024-02-02" });
        await host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "d2", name = "Jet", occurredOn = "2024-02-02" });
        await host.PostAsync($"/agreements/{id}/deliveries", new { deliverableId = "d1", occurredOn = "2024-03-01" });
        await page.ReloadAsync();
        await Expect(page.Locator("#version")).ToHaveTextAsync("6");
        await Expect(steps).ToHaveTextAsync(["Plan a deliverable", "Funding committed", "A deliverable was delivered", "Set a target date", "Cite a source",
            "Amendment", "Suspend", "Terminate", "Consent to be bound (ratification, accession…)", "Provisional application", "Reservation, declaration or objection"]);

        await page.Locator(".next-steps").GetByRole(AriaRole.Button, new() { Name = "Funding committed" }).ClickAsync();
        var funder = page.GetByLabel("Funder (required)");
        Assert.Equal(["JP", "KR"], await page.Locator($"#{await funder.GetAttributeAsync("list")} option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        await page.Locator(".next-steps").GetByRole(AriaRole.Button, new() { Name = "A deliverable was delivered" }).ClickAsync();
        var deliverable = page.GetByLabel("Deliverable (required)");
        Assert.Equal(["Choose…", "Jet (d2)"], await deliverable.Locator("option").AllTextContentsAsync());
        await deliverable.SelectOptionAsync("d2");
        await page.GetByLabel("Delivered on").FillAsync("2024-03-02");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("Delivered");
        await Expect(page.Locator(".next-steps").GetByRole(AriaRole.Button, new() { Name = "A deliverable was delivered" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".next-steps").GetByRole(AriaRole.Button, new() { Name = "Funding committed" })).ToHaveCountAsync(1);
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    private async Task<string> ProposedAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await host.PostAsync("/agreements", new
        {
            id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10",
        });
        return id;
    }
}
