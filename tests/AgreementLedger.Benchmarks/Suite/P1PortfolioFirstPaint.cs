using System.Globalization;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// P1 (issue 21 point 1): the portfolio's first paint in headless Chromium (Debian's /usr/bin/chromium, through
/// Playwright) against the service as its own process, on a ledger of 1,000 agreements beside the same page on a
/// ledger of 10 (the same-run floor), the two visited in turn. Each run is a fresh browser context (no cache, no session) that opens <c>/#/</c>
/// signed in, and reads the page's own clock: first contentful paint, and the frame in which the lanes are painted
/// (the page's <c>portfolio-drawn</c> mark, set in the animation frame after a page of lanes is drawn). Measured in
/// the default order (by id: the service reads what the page shows) and sorted by next target (the service reads and
/// orders every agreement the filters let through). Each run also counts the page's <c>GET /agreements</c> requests.
/// </summary>
public static class P1PortfolioFirstPaint
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly int[] Ledgers = [10, 1_000];
    private static readonly string[] Views = ["#/", "#/?sort=nextTarget"];
    private static readonly string[] Others = ["GB", "IT", "FR", "DE", "KR", "US", "NO", "PH", "AU", "CA"];

    private const string Clock = """
        async () => {
          for (let i = 0; i < 600 && !performance.getEntriesByName('portfolio-drawn').length; i++) await new Promise(r => setTimeout(r, 25));
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          const drawn = performance.getEntriesByName('portfolio-drawn')[0];
          const answer = performance.getEntriesByType('resource').find(r => new URL(r.name).pathname === '/agreements');
          return [paint ? paint.startTime : -1, drawn ? drawn.startTime : -1, document.querySelectorAll('#portfolio tbody tr[data-id]').length,
            answer ? answer.responseEnd : -1, answer ? answer.responseEnd - answer.requestStart : -1];
        }
        """;

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        if (!File.Exists(Chromium))
        {
            return [new Row("P1 portfolio first paint", "—", "—", "—", "—", null, $"skipped: {Chromium} not found")];
        }

        var runs = sizes.ColdStarts * 5;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var measured = new Dictionary<(int Ledger, string View), Visits>();
        var services = new List<ServiceUnderLoad>();
        try
        {
            foreach (var count in Ledgers)
            {
                services.Add(await ServiceUnderLoad.StartAsync(await LoadAsync(cluster, count), "/agreements?limit=1"));
            }

            foreach (var view in Views)
            {
                var visits = Ledgers.Select(_ => new Visits()).ToArray();
                // One visit to each ledger in turn, so that both meet the same machine (it is shared, its load moves).
                for (var i = 0; i < runs + 2; i++)
                {
                    for (var s = 0; s < services.Count; s++)
                    {
                        var (clock, shown, requests) = await OpenAsync(browser, services[s].Address, view);
                        visits[s].Add(clock, shown, requests, warmUp: i < 2);
                    }
                }

                for (var s = 0; s < services.Count; s++)
                {
                    measured[(Ledgers[s], view)] = visits[s];
                }
            }
        }
        finally
        {
            foreach (var service in services)
            {
                await service.DisposeAsync();
            }
        }

        var rows = new List<Row>();
        foreach (var view in Views)
        {
            var floor = measured[(Ledgers[0], view)];
            var ledger = measured[(Ledgers[1], view)];
            var p50 = ledger.Drawn.Percentile(50);
            var floorP50 = floor.Drawn.Percentile(50);
            rows.Add(new Row($"P1 portfolio `{view}`, lanes painted, {Ledgers[1]:N0} agreements ({ledger.Lanes} lanes)",
                $"p50 {Format.Ms(floorP50)}, p90 {Format.Ms(floor.Drawn.Percentile(90))} ({Ledgers[0]} agreements, {floor.Lanes} lanes)",
                $"p50 {Format.Ms(p50)}, p90 {Format.Ms(ledger.Drawn.Percentile(90))}",
                Format.Ratio(floorP50 / p50),
                "p50 ≤ 2× the page with 10, one request", p50 <= 2 * floorP50 && ledger.MostRequests == 1,
                $"{runs} runs each after 2 warm-up, a fresh context each; p50 with 10 and with {Ledgers[1]:N0}: first contentful paint {Format.Ms(floor.Paint.Percentile(50))} and " +
                $"{Format.Ms(ledger.Paint.Percentile(50))}, the list's answer received at {Format.Ms(floor.Answer.Percentile(50))} and {Format.Ms(ledger.Answer.Percentile(50))} " +
                $"(of which request to last byte {Format.Ms(floor.Service.Percentile(50))} and {Format.Ms(ledger.Service.Percentile(50))}); " +
                $"GET /agreements per page at most {floor.MostRequests} and {ledger.MostRequests}"));
        }

        return rows;
    }

    /// <summary>What the visits to one ledger measured: times from navigation start, the lanes drawn, the most requests a visit made.</summary>
    private sealed class Visits
    {
        public Samples Paint { get; } = new();

        public Samples Drawn { get; } = new();

        public Samples Answer { get; } = new();

        public Samples Service { get; } = new();

        public int Lanes { get; private set; }

        public int MostRequests { get; private set; }

        public void Add(double[] clock, int lanes, int requests, bool warmUp)
        {
            (Lanes, MostRequests) = (lanes, Math.Max(MostRequests, requests));
            if (!warmUp)
            {
                Paint.Add(TimeSpan.FromMilliseconds(clock[0]));
                Drawn.Add(TimeSpan.FromMilliseconds(clock[1]));
                Answer.Add(TimeSpan.FromMilliseconds(clock[3]));
                Service.Add(TimeSpan.FromMilliseconds(clock[4]));
            }
        }
    }

    /// <summary>
    /// One visit: its clock (first contentful paint, lanes painted and the list's answer received, in ms from navigation
    /// start, and the answer's time from request to last byte), the lanes drawn, and the GET /agreements requests made.
    /// </summary>
    private static async Task<(double[] Clock, int Rows, int Requests)> OpenAsync(IBrowser browser, Uri service, string view)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = service.ToString(), TimezoneId = "UTC", Locale = "en-GB", ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        var token = BenchmarkLedger.AdminBearer["Bearer ".Length..];
        await context.AddInitScriptAsync($"sessionStorage.setItem('ledger.token', '{token}')");
        var page = await context.NewPageAsync();
        var requests = 0;
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == "/agreements")
            {
                Interlocked.Increment(ref requests);
            }
        };
        await page.GotoAsync("/" + view);
        var clock = await page.EvaluateAsync<double[]>(Clock);
        if (clock[1] < 0)
        {
            throw new InvalidOperationException($"the portfolio at {view} was not drawn within 15 s");
        }

        return (clock, (int)clock[2], requests);
    }

    /// <summary>A database of <paramref name="count"/> agreements proposed across ten years: a third signed, half with a target, some of those missed.</summary>
    private static async Task<string> LoadAsync(LocalPostgresCluster cluster, int count)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, $"p1_{count}", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var histories = Enumerable.Range(0, count).Select(a =>
        {
            var id = $"portfolio-{a:D5}";
            var other = Others[a % Others.Length];
            var proposed = new DateOnly(2015, 1, 1).AddDays(a * 3653 / count);
            var events = new List<IAgreementEvent>
            {
                new AgreementProposed(id, "Portfolio " + id, a % 3 == 0 ? "treaty" : "partnership", ["JP", other], ["defence-industry"], null, proposed, []),
                new NegotiationRoundHeld(proposed.AddDays(30), "Tokyo", ["JP", other], null),
            };
            if (a % 3 == 0)
            {
                events.Add(new TermsAgreed(proposed.AddDays(90), null));
                events.Add(new PartySigned("JP", proposed.AddDays(120), null, null));
                events.Add(new PartySigned(other, proposed.AddDays(121), null, null));
            }

            if (a % 2 == 0)
            {
                events.Add(new TargetSet(a % 3 == 0 ? "Delivered" : "Signed", proposed.AddDays(365 + (a % 7 * 200)), null, proposed.AddDays(31)));
            }

            return new AgreementHistory(id, events);
        }).ToList();
        await ledger.Host.Services.GetRequiredService<BulkImporter>().ImportAsync(histories, "bench", CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"P1: {count:N0} agreements loaded"));
        return ledger.ConnectionString;
    }
}
