using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// A party's two-clock map, at laptop and phone widths: every event of the party's agreements at its two times, and
/// the party's agreements as they stood at the moment chosen on both clocks.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PartyMapTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task a_partys_map_holds_every_event_of_its_agreements_and_shows_where_they_stood_then(int width)
    {
        var party = "ZQ" + new string(Enumerable.Range(0, 6).Select(_ => (char)('A' + Random.Shared.Next(26))).ToArray());
        var first = Given.NewId("ui-party-map-a");
        var second = Given.NewId("ui-party-map-b");
        await host.PostAsync("/agreements", new { id = first, title = "First " + first, kind = "partnership", parties = new[] { party, "JP" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        await host.PostAsync($"/agreements/{first}/signatures", new { party, occurredOn = "2024-02-01" });
        await host.PostAsync("/agreements", new { id = second, title = "Second " + second, kind = "forum", parties = new[] { party }, areas = Array.Empty<string>(), occurredOn = "2024-03-01" });
        await host.PostAsync($"/agreements/{second}/negotiation-rounds", new { occurredOn = "2024-04-01", location = "Rome" });
        await host.PostAsync($"/agreements/{first}/negotiation-rounds", new { occurredOn = "2024-01-20", location = "Tokyo" });
        var recorded = (await TimelineAsync(first)).Concat(await TimelineAsync(second)).ToList();

        // Reached from the party's portfolio.
        var page = await host.SignedInPageAsync($"#/?party={party}", width, 900);
        await page.GetByRole(AriaRole.Link, new() { Name = $"{party}'s agreements on two clocks" }).ClickAsync();
        Assert.EndsWith($"#/parties/{party}/map", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#party-map-progress")).ToHaveTextAsync($"{recorded.Count} events of 2 agreements.");
        var points = page.Locator("#two-clock-map .point");
        await Expect(points).ToHaveCountAsync(recorded.Count);
        await Expect(page.Locator($"#two-clock-map .point[data-agreement='{first}']")).ToHaveCountAsync(3);
        await Expect(page.Locator($"#two-clock-map .point[data-agreement='{second}']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#party-standing tbody tr")).ToHaveCountAsync(2);

        // Up is recording order across both agreements.
        var heights = new List<double>();
        foreach (var e in recorded.OrderBy(e => e.GetProperty("recordedAt").GetString(), StringComparer.Ordinal))
        {
            var point = page.Locator($"#two-clock-map .point[data-agreement='{e.GetProperty("agreementId").GetString()}'][data-version='{e.GetProperty("version").GetInt64()}']");
            heights.Add(double.Parse((await point.GetAttributeAsync("data-cy"))!, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(heights.OrderByDescending(y => y), heights);

        // After the first agreement's signature (its v2), before the second was proposed: only the first, at version 2.
        var known = page.GetByLabel("Crosshair, recording clock: known after");
        await known.FocusAsync();
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(known).ToHaveAttributeAsync("aria-valuetext", new System.Text.RegularExpressions.Regex($"^after {first} v2, "));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the page then" }).ClickAsync();

        await Expect(page.Locator("#party-standing tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#party-standing tr[data-id='{first}'] td").Nth(2)).ToHaveTextAsync("2");
        await Expect(page.Locator("#standing-heading")).ToContainTextAsync("As known at");
        await Expect(page.Locator("#two-clock-map .point.beyond")).ToHaveCountAsync(3);
        var link = page.Locator($"#party-standing tr[data-id='{first}'] a");
        Assert.Contains("asOf=", Uri.UnescapeDataString((await link.GetAttributeAsync("href"))!), StringComparison.Ordinal);
        await BrowserHost.AssertAxeCleanAsync(page);
        if (width > 500)
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-party-map.png"), FullPage = true });
        }
    }

    private async Task<List<JsonElement>> TimelineAsync(string id)
    {
        using var client = host.OfficerClient();
        var entries = (await client.GetFromJsonAsync<JsonElement>($"/agreements/{id}/timeline?limit=1000")).GetProperty("entries").EnumerateArray();
        return [.. entries.Select(e => JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["agreementId"] = id, ["version"] = e.GetProperty("version").GetInt64(), ["recordedAt"] = e.GetProperty("recordedAt").GetString(),
        }))];
    }
}
