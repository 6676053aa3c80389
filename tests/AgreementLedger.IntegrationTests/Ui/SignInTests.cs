using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// The page's sign-in with a real OpenID provider run locally (<see cref="TestOidcProvider"/>): the
/// authorization code flow with PKCE through the provider's own login and consent forms, the access token
/// renewed with the refresh token before it expires, and sign-out at the provider.
/// </summary>
[Collection(OidcBrowserCollection.Name)]
public sealed class SignInTests(OidcBrowserHost host) : IAsyncLifetime
{
    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task signing_in_at_the_provider_shows_who_you_are_and_records_as_them(int width)
    {
        var page = await host.NewPageAsync(width);
        await page.GotoAsync("/#/");
        // A read without a token is 401: the panel offers the provider's sign-in.
        await Expect(page.Locator("#signin-help")).ToContainTextAsync("Sign in with your account at 127.0.0.1");
        Assert.DoesNotContain("dotnet", await page.Locator("body").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await page.GetByLabel("User name").FillAsync(OidcBrowserHost.Officer);
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong user name or password.");
        await SubmitLoginAsync(page, consent: true);

        await Expect(page.Locator("#token-toggle")).ToHaveTextAsync("olivia (recorder, auditor, subscriber)");
        Assert.Equal(host.Service.Address.ToString(), page.Url.Split('#')[0]);
        await Expect(page.Locator("main")).ToContainTextAsync("Russia–North Korea Comprehensive Strategic Partnership Treaty");

        var id = Given.NewId("oidc-" + width);
        await ProposeAsync(page, id);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        await page.Locator("#token-toggle").ClickAsync();
        await Expect(page.Locator("#signin-help")).ToHaveTextAsync($"Signed in at {new Uri(host.Provider.Issuer).Authority} as olivia, with the roles recorder, auditor, subscriber.");
        if (width == 1366)
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-sign-in.png") });
        }

        Assert.Equal("olivia", await RecordedByAsync(await AccessTokenAsync(page), id));
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_token_is_renewed_before_it_expires_and_requests_after_its_end_succeed(int width)
    {
        var page = await SignedInAsync(width);
        var first = await AccessTokenAsync(page);
        var expires = DateTimeOffset.FromUnixTimeSeconds(JsonDocument.Parse(Base64Url(first.Split('.')[1])).RootElement.GetProperty("exp").GetInt64());

        // Half-way through the token's life the page asks the provider for a new one with its refresh token.
        await page.WaitForFunctionAsync("first => sessionStorage.getItem('ledger.token') !== first", first,
            new() { Timeout = (float)OidcBrowserHost.TokenLifetime.TotalMilliseconds });
        var renewed = await AccessTokenAsync(page);
        var wait = expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        // The first token has ended (the service allows no clock skew here); the page records with the new one.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(first, "/agreements"));
        var id = Given.NewId("renewed-" + width);
        await ProposeAsync(page, id);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Proposed");
        await Expect(page.Locator("#token-panel")).ToBeHiddenAsync();
        Assert.Equal("olivia", await RecordedByAsync(renewed, id));
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task signing_out_forgets_the_tokens_and_ends_the_session_at_the_provider(int width)
    {
        var page = await SignedInAsync(width);
        var refreshToken = await page.EvaluateAsync<string>("JSON.parse(sessionStorage.getItem('ledger.oidc.tokens')).refreshToken");

        await page.Locator("#token-toggle").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, sign me out" }).ClickAsync();

        await Expect(page.Locator("#token-toggle")).ToHaveTextAsync("Sign in");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('ledger.token')"));
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('ledger.oidc.tokens')"));
        // The refresh token no longer works (the page revoked it, and the provider ended its session), and signing in again asks for the password.
        Assert.Equal(HttpStatusCode.BadRequest, await RefreshAsync(refreshToken));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Password")).ToBeVisibleAsync();
        await page.GoBackAsync();
        await Expect(page.Locator("#token-toggle")).ToHaveTextAsync("Sign in");
        await BrowserHost.AssertAxeCleanAsync(page);
    }

    [Fact]
    public async Task a_click_on_sign_in_before_the_page_has_its_settings_still_signs_in()
    {
        var page = await host.NewPageAsync();
        // The settings come late, as on a slow network: the button waits for them instead of doing nothing.
        await page.RouteAsync("**/ui/config", async route =>
        {
            await Task.Delay(1_500);
            await route.ContinueAsync();
        });
        await page.GotoAsync("/#/");
        await page.Locator("#token-toggle").ClickAsync();
        await Expect(page.GetByLabel("User name")).ToBeVisibleAsync();
    }

    private async Task<IPage> SignedInAsync(int width)
    {
        var page = await host.NewPageAsync(width);
        await page.GotoAsync("/#/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await SubmitLoginAsync(page, consent: true);
        await Expect(page.Locator("#token-toggle")).ToHaveTextAsync("olivia (recorder, auditor, subscriber)");
        return page;
    }

    private static async Task SubmitLoginAsync(IPage page, bool consent)
    {
        await page.GetByLabel("User name").FillAsync(OidcBrowserHost.Officer);
        await page.GetByLabel("Password").FillAsync(OidcBrowserHost.OfficerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (consent)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
        }
    }

    /// <summary>Proposes an agreement through the page's form, as whoever the page is signed in as.</summary>
    internal static async Task ProposeAsync(IPage page, string id)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Record a new agreement" }).ClickAsync();
        await page.GetByLabel("Title (required)").FillAsync("Signed-in partnership");
        await page.GetByLabel("Id", new() { Exact = true }).FillAsync(id);
        await page.GetByLabel("Kind (required)").SelectOptionAsync("partnership");
        await page.GetByLabel("Parties (required)").FillAsync("JP GB");
        await page.GetByLabel("Proposed on", new() { Exact = true }).FillAsync("2024-01-10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the proposal" }).ClickAsync();
    }

    private static Task<string> AccessTokenAsync(IPage page) => page.EvaluateAsync<string>("sessionStorage.getItem('ledger.token')");

    private async Task<string> RecordedByAsync(string token, string id)
    {
        using var client = new HttpClient { BaseAddress = host.Service.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timeline = JsonDocument.Parse(await client.GetStringAsync($"/agreements/{id}/timeline"));
        return timeline.RootElement.GetProperty("entries")[0].GetProperty("recordedBy").GetString()!;
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token, string path)
    {
        using var client = new HttpClient { BaseAddress = host.Service.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await client.GetAsync(path);
        return answer.StatusCode;
    }

    private async Task<HttpStatusCode> RefreshAsync(string refreshToken)
    {
        using var client = new HttpClient();
        using var answer = await client.PostAsync(host.Provider.Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = OidcBrowserHost.ClientId,
        }));
        return answer.StatusCode;
    }

    private static string Base64Url(string text) =>
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=')));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();
}

/// <summary>The web page on a service that trusts <see cref="TestOidcProvider"/>: no HS256 key, no clock skew.</summary>
public sealed class OidcBrowserHost : BrowserHost
{
    public const string ClientId = "agreement-ledger-page";
    public const string Audience = "urn:agreement-ledger";
    public const string Officer = "olivia";
    public const string OfficerPassword = "olivia's passphrase";

    /// <summary>Short, so that the renewal comes within a test: the page renews at half of it.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(20);

    public TestOidcProvider Provider { get; private set; } = null!;

    protected override async Task<ServiceProcess> StartServiceAsync(string connectionString)
    {
        var port = ServiceProcess.FreePort();
        Provider = await TestOidcProvider.StartAsync(ClientId, new Uri($"http://127.0.0.1:{port}/"), Audience, TokenLifetime,
            new Dictionary<string, TestOidcProvider.User>
            {
                [Officer] = new(OfficerPassword, "Olivia Officer", [Roles.Recorder, Roles.Auditor, Roles.Subscriber]),
            });
        return await ServiceProcess.StartAsync(connectionString, new Dictionary<string, string>
        {
            ["Ledger__Auth__SigningKey"] = "",
            ["Ledger__Auth__Authority"] = Provider.Issuer,
            ["Ledger__Auth__RequireHttpsMetadata"] = "false",
            ["Ledger__Auth__Audience"] = Audience,
            ["Ledger__Auth__ClientId"] = ClientId,
            ["Ledger__Auth__ClockSkew"] = "00:00:00",
        }, port: port);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OidcBrowserCollection : ICollectionFixture<OidcBrowserHost>
{
    public const string Name = "web-page-oidc";
}
