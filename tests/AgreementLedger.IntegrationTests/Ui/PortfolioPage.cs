using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>What the portfolio tests read off the page and ask the API, side by side.</summary>
internal sealed class PortfolioPage(BrowserHost host)
{
    /// <summary>The agreements' ids in the order their lanes are drawn.</summary>
    public const string LaneIds = "[...document.querySelectorAll('#portfolio tbody tr[data-id]')].map(r => r.dataset.id)";

    /// <summary>Every drawn stage's day and left edge on screen, and every axis tick's day and x on screen (the header's, or each lane's on a phone).</summary>
    public const string StagesAndTicks = """
        () => {
          const day = t => /^\d{4}$/.test(t) ? t + '-01-01' : /^\d{4}-\d{2}$/.test(t) ? t + '-01' : t;
          const stages = [...document.querySelectorAll('#portfolio .stage')].map(g => ({
            id: g.closest('tr').dataset.id, stage: g.dataset.stage, on: g.dataset.reachedOn, x: g.querySelector('rect').getBoundingClientRect().left }));
          const ticks = [...document.querySelectorAll('#portfolio .axis')].filter(a => a.getBoundingClientRect().width > 0).flatMap(axis =>
            [...axis.querySelectorAll('text')].map(t => ({ on: day(t.textContent), x: t.getBoundingClientRect().left + t.getBoundingClientRect().width / 2 })));
          return { stages, ticks };
        }
        """;

    public async Task<JsonElement> ListAsync(string query)
    {
        using var client = host.OfficerClient();
        return await client.GetFromJsonAsync<JsonElement>("/agreements?limit=50" + (query.Length > 0 ? "&" + query : ""));
    }

    public async Task<List<string>> ListIdsAsync(string query) =>
        [.. (await ListAsync(query)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];

    public static async Task<List<string>> LaneIdsAsync(IPage page) => [.. await page.EvaluateAsync<string[]>(LaneIds)];

    /// <summary>Runs <paramref name="action"/> and waits until the portfolio has drawn its answer (the page's own mark).</summary>
    public static async Task DrawnAfterAsync(IPage page, Func<Task> action)
    {
        var before = await DrawingsAsync(page);
        await action();
        for (var i = 0; i < 150 && await DrawingsAsync(page) <= before; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await DrawingsAsync(page) > before, "the portfolio was not drawn");
    }

    /// <summary>The signed-in page at <paramref name="hash"/>, once the portfolio is drawn.</summary>
    public async Task<IPage> OpenAsync(string hash, int width)
    {
        var page = await host.SignedInPageAsync(hash, width, 900);
        for (var i = 0; i < 150 && await DrawingsAsync(page) == 0; i++)
        {
            await Task.Delay(100);
        }

        return page;
    }

    private static Task<int> DrawingsAsync(IPage page) => page.EvaluateAsync<int>("performance.getEntriesByName('portfolio-drawn').length");

    public async Task PostAsync(string? id, string route, object body)
    {
        using var client = host.OfficerClient();
        var answer = await client.PostAsJsonAsync(id is null ? "/agreements" : $"/agreements/{id}/{route}", body);
        Assert.True(answer.IsSuccessStatusCode, $"{route}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>A treaty of <paramref name="party"/> and KR, signed by both on 2024-03-01, and in force from 2024-05-01 when <paramref name="inForce"/>.</summary>
    public async Task<string> TreatyAsync(string party, bool inForce)
    {
        var id = Given.NewId("ui-portfolio");
        await PostAsync(null, "", new { id, title = "Treaty " + id, kind = "treaty", parties = new[] { party, "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10" });
        foreach (var signer in new[] { party, "KR" })
        {
            await PostAsync(id, "signatures", new { party = signer, occurredOn = "2024-03-01" });
            if (inForce)
            {
                await PostAsync(id, "consents", new { party = signer, instrument = "ratification", occurredOn = "2024-04-01" });
            }
        }

        if (inForce)
        {
            await PostAsync(id, "entry-into-force", new { occurredOn = "2024-05-01" });
        }

        return id;
    }
}
