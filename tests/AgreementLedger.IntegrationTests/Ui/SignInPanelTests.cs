using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>With an HS256 key only, the sign-in panel says who issues tokens and which roles there are, and takes one pasted.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeySignInPanelTests(BrowserHost host) : IAsyncLifetime
{
    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_panel_says_whom_to_ask_for_a_token_and_takes_one_pasted(int width)
    {
        var page = await host.NewPageAsync(width);
        await page.GotoAsync("/#/");

        // The list's 401 opens the panel.
        await Expect(page.GetByLabel("Bearer token")).ToBeVisibleAsync();
        await Expect(page.Locator("#signin-help")).ToContainTextAsync("Tokens for this ledger are issued by its administrator, who holds its signing key.");
        await Expect(page.Locator("#signin-help")).ToContainTextAsync("recorder to record events, auditor to read agreements and check the audit trail, subscriber for live updates");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        Assert.DoesNotContain("dotnet", await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        if (width == 1366)
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-sign-in-key.png") });
        }

        await page.GetByLabel("Bearer token").FillAsync(BrowserHost.OfficerToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this token" }).ClickAsync();
        await Expect(page.Locator("#token-toggle")).ToHaveTextAsync("officer (recorder, auditor, subscriber)");
        await Expect(page.Locator("main")).ToContainTextAsync("Russia–North Korea Comprehensive Strategic Partnership Treaty");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();
}

/// <summary>In Development without authentication the page asks for no token and says whose name everything is done in.</summary>
[Collection(LocalBrowserCollection.Name)]
public sealed class LocalSignInPanelTests(LocalBrowserHost host) : IAsyncLifetime
{
    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_page_says_you_are_the_local_admin_and_records_as_local(int width)
    {
        var page = await host.NewPageAsync(width);
        await page.GotoAsync("/#/");
        await Expect(page.Locator("main")).ToContainTextAsync("Russia–North Korea Comprehensive Strategic Partnership Treaty");
        await Expect(page.Locator("#token-panel")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "local (admin)" }).ClickAsync();
        await Expect(page.Locator("#signin-help")).ToHaveTextAsync(
            "No sign-in here: this service runs for development on this machine, and everything you do here you do as its local admin, \u201clocal\u201d.");
        await Expect(page.GetByLabel("Bearer token")).ToBeHiddenAsync();

        var id = Given.NewId("local-" + width);
        await SignInTests.ProposeAsync(page, id);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        using var anyone = new HttpClient { BaseAddress = host.Service.Address };
        using var timeline = JsonDocument.Parse(await anyone.GetStringAsync($"/agreements/{id}/timeline"));
        Assert.Equal("local", timeline.RootElement.GetProperty("entries")[0].GetProperty("recordedBy").GetString());
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();
}

/// <summary>The web page on a Development service with no authentication (every request from this machine is the local admin).</summary>
public sealed class LocalBrowserHost : BrowserHost
{
    protected override Task<ServiceProcess> StartServiceAsync(string connectionString) =>
        ServiceProcess.StartAsync(connectionString, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Ledger__Auth__SigningKey"] = "",
        });
}

[CollectionDefinition(Name)]
public sealed class LocalBrowserCollection : ICollectionFixture<LocalBrowserHost>
{
    public const string Name = "web-page-local";
}
