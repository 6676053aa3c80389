using System.Net.Http.Json;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The real service as its own process (so a browser can reach it over a socket), loaded with the
/// demo agreements, and one headless Chromium — Debian's package at /usr/bin/chromium, never a
/// downloaded browser — shared by the web-page tests.
/// </summary>
public class BrowserHost : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private string _connectionString = "";
    private IPlaywright? _playwright;

    public ServiceProcess Service { get; private set; } = null!;

    /// <summary>The service's database, for tests that play someone with write access to it.</summary>
    public string ConnectionString => _connectionString;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A token with every role but admin: what a policy officer who also audits would hold.</summary>
    public static string OfficerToken { get; } = TestTokens.For("officer", Roles.Recorder, Roles.Auditor, Roles.Subscriber);

    public virtual async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} not found: the web-page tests run Debian's Chromium. Install it with 'apt-get install chromium' (./build.sh does).");
        }

        _connectionString = await TestDatabase.CreateAsync();
        await SeedAsync(_connectionString);
        Service = await StartServiceAsync(_connectionString);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>The service the pages are served by: HS256 tokens (<see cref="TestTokens"/>) unless a derived host says otherwise.</summary>
    protected virtual Task<ServiceProcess> StartServiceAsync(string connectionString) => ServiceProcess.StartAsync(connectionString);

    /// <summary>
    /// A fresh page in its own context (its own session storage), in UTC, at a laptop's size unless told, on
    /// <paramref name="service"/> (default: this host's), with a touch screen when <paramref name="touch"/>.
    /// </summary>
    public async Task<IPage> NewPageAsync(int width = 1366, int height = 900, Uri? service = null, bool touch = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (service ?? Service.Address).ToString(),
            TimezoneId = "UTC",
            Locale = "en-GB",
            ViewportSize = new ViewportSize { Width = width, Height = height },
            HasTouch = touch,
        });
        context.SetDefaultTimeout(15_000);
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("401", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        Errors[page] = errors;
        return page;
    }

    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>
    /// Closes every page opened so far, and with it its event stream: each open tab holds one of the
    /// officer's streams, of which the service allows a few per principal (Ledger:Events:MaxStreamsPerPrincipal).
    /// </summary>
    public async Task ClosePagesAsync()
    {
        IBrowserContext[] open;
        lock (_contexts)
        {
            open = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Script errors and console errors each page has shown.</summary>
    public Dictionary<IPage, List<string>> Errors { get; } = [];

    /// <summary>
    /// Opens the page and signs in through the sign-in form with the officer's token, or with <paramref name="token"/>
    /// (whose subject must be "officer" too), on <paramref name="service"/> (default: this host's).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string hash = "#/", int width = 1366, int height = 900, Uri? service = null, string? token = null, bool touch = false)
    {
        var page = await NewPageAsync(width, height, service, touch);
        await page.GotoAsync("/" + hash);
        // The page opens the sign-in form itself when the API answers 401; the button opens it otherwise.
        var tokenField = page.GetByLabel("Bearer token");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("Loading…");
        if (!await tokenField.IsVisibleAsync())
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        }

        await tokenField.FillAsync(token ?? OfficerToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this token" }).ClickAsync();
        await Assertions.Expect(page.Locator("#token-toggle")).ToContainTextAsync("officer");
        return page;
    }

    /// <summary>An HTTP client of this host's service with the officer's token: what a test records through the API.</summary>
    public HttpClient OfficerClient()
    {
        var client = new HttpClient { BaseAddress = Service.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OfficerToken);
        return client;
    }

    /// <summary>Records through the API as the officer; a refusal fails the test with the problem the API answered.</summary>
    public async Task PostAsync(string path, object body)
    {
        using var client = OfficerClient();
        var answer = await client.PostAsJsonAsync(path, body);
        Assert.True(answer.IsSuccessStatusCode, $"POST {path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>The agreement's version as the API answers it now.</summary>
    public async Task<long> VersionAsync(string id)
    {
        using var client = OfficerClient();
        return (await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/agreements/{id}")).GetProperty("version").GetInt64();
    }

    /// <summary>The agreement's timeline entries as the API answers them now (one page of up to 1,000).</summary>
    public async Task<List<System.Text.Json.JsonElement>> TimelineAsync(string id)
    {
        using var client = OfficerClient();
        return [.. (await client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/agreements/{id}/timeline?limit=1000")).GetProperty("entries").EnumerateArray()];
    }

    /// <summary>
    /// What every page test ends with: axe finds no violation on the page as it stands, and nothing makes the
    /// page wider than its window (no sideways scrolling, at desktop or phone width).
    /// </summary>
    public static async Task AssertAxeCleanAsync(IPage page)
    {
        var axe = await page.RunAxe();
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}")));
        var measured = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth - window.innerWidth, window.innerWidth]");
        var (overflow, width) = (measured[0], measured[1]);
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a {width} px window");
    }

    /// <summary>Where screenshots go: docs/ when LEDGER_UI_SCREENSHOTS is set, else a temporary folder.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("LEDGER_UI_SCREENSHOTS") is { Length: > 0 } set
            ? set
            : Path.Combine(Path.GetTempPath(), "agreement-ledger-ui");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public virtual async Task DisposeAsync()
    {
        await ClosePagesAsync();
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        await TestDatabase.DropAsync(_connectionString);
    }

    private static async Task SeedAsync(string connectionString)
    {
        var (exit, output, error) = await ServiceCommand.RunAsync(ServiceCommand.Environment(connectionString), "seed");
        if (exit != 0)
        {
            throw new InvalidOperationException($"seed failed ({exit}): {output} {error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserHost>
{
    public const string Name = "web-page";
}
