using System.Globalization;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// The list's and the portfolio's <c>asOf</c> read from the version rows (<see cref="AgreementVersionRows"/>)
/// answer exactly what the fold of the events recorded by then answers (<see cref="KnownAgreements.FoldedAsync"/>),
/// for random histories of commands: late facts, retractions, joins, several agreements, versions recorded
/// at the same instant. And the portfolio pages like the list.
/// </summary>
[Collection(TimeTravelCollection.Name)]
public sealed class KnownAgreementsTests(ClockedLedgerHost ledger)
{
    private static readonly DateOnly Start = new(2024, 1, 5);

    private KnownAgreements Known => ledger.Host.Services.GetRequiredService<KnownAgreements>();

    /// <summary>What the list and the portfolio show of an agreement: the rows must give exactly this.</summary>
    internal static string Shown(Agreement a) =>
        $"{a.Id} v{a.Version} {a.Title}|{a.Kind}|{a.Lifecycle.Status}|{string.Join(',', a.Lifecycle.Parties)}|{string.Join(',', a.Areas)}|{a.ProposedOn:yyyy-MM-dd}|" +
        string.Join(',', a.Lifecycle.Signatories.Select(s => $"{s.Party}@{s.SignedOn:yyyy-MM-dd}"));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task the_rows_answer_what_the_fold_of_the_events_recorded_by_then_answers_at_every_instant(int seed)
    {
        var random = new Random(seed);
        var parties = Enumerable.Range(0, 4).Select(_ => Given.NewParty()).ToArray();
        var area = "known-" + Given.NewParty().ToLowerInvariant();
        var ids = new List<string>();
        var instants = new List<DateTimeOffset> { ledger.Clock.GetUtcNow() };
        for (var step = 0; step < 60; step++)
        {
            // Nothing, a microsecond or a second between commands: equal recordedAt, the smallest step, a plain one.
            ledger.Clock.Advance(random.Next(3) switch { 0 => TimeSpan.Zero, 1 => TimeSpan.FromTicks(10), _ => TimeSpan.FromSeconds(1) });
            if (ids.Count < 2 || random.Next(6) == 0)
            {
                var id = Given.NewId("known");
                ids.Add(id);
                var own = parties.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToArray();
                await PostAsync("/agreements", new
                {
                    id, title = "Known " + id, kind = random.Next(2) == 0 ? "treaty" : "forum", parties = own,
                    areas = random.Next(2) == 0 ? new[] { area } : [], occurredOn = Day(0),
                });
            }
            else
            {
                var id = ids[random.Next(ids.Count)];
                var party = parties[random.Next(parties.Length)];
                // A day anywhere in the first months: often before facts already known (a late fact).
                var on = Day(random.Next(1, 80));
                switch (random.Next(6))
                {
                    case 0:
                        await PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = on });
                        break;
                    case 1:
                        await PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = on });
                        break;
                    case 2:
                    case 3:
                        await PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = on });
                        break;
                    case 4:
                        await PostAsync($"/agreements/{id}/parties", new { party, occurredOn = on });
                        break;
                    default:
                        await PostAsync($"/agreements/{id}/retractions", new { version = random.Next(2, 6), reason = "Recorded in error." });
                        break;
                }
            }

            instants.Add(ledger.Clock.GetUtcNow());
        }

        var filters = new List<ListFilter> { new(null, null, area, null), new(null, null, area, "treaty"), new(null, AgreementStatus.Signed, area, null) };
        filters.AddRange(parties.Select(p => new ListFilter(p, null, null, null)));
        filters.Add(new ListFilter(parties[0], AgreementStatus.Negotiating, null, null));
        filters.Add(new ListFilter(Given.NewParty(), null, null, null));
        // A status alone walks the agreements that ever had it: one that left it by then must not show.
        filters.AddRange([new ListFilter(null, AgreementStatus.Negotiating, null, null), new ListFilter(null, AgreementStatus.Signed, null, null)]);
        var moments = instants.SelectMany(t => new[] { t.AddTicks(-10), t, t.AddTicks(10) }).Distinct().Order().ToList();
        var compared = await CompareAsync(seed, moments, filters);
        Assert.True(compared > 100, $"only {compared} agreements compared");

        // Written again by the one-pass rebuild (the rows of these agreements dropped first): the same answers.
        await ledger.ExecuteAsync("delete from ledger.agreement_versions where agreement_id = any($1)", (object)ids.ToArray());
        await ledger.Host.Services.GetRequiredService<AgreementLedger.Agreements.Rebuilding.SnapshotRebuilder>().RebuildAsync(CancellationToken.None);
        Assert.Equal(compared, await CompareAsync(seed, moments, filters));
    }

    /// <summary>Compares the rows with the fold at every moment for every filter, whole and in pages of two; how many agreements the pages held.</summary>
    private async Task<int> CompareAsync(int seed, IReadOnlyList<DateTimeOffset> moments, IReadOnlyList<ListFilter> filters)
    {
        var compared = 0;
        foreach (var at in moments)
        {
            foreach (var filter in filters)
            {
                // Whole, and in pages of two through the keyset.
                Assert.Equal(await ShownAsync(Known.FoldedAsync(at, filter, null, null, default)), await ShownAsync(Known.ReadAsync(at, filter, null, null, default)));
                string? after = null;
                while (true)
                {
                    var folded = await Known.FoldedAsync(at, filter, after, 2, default);
                    var read = await Known.ReadAsync(at, filter, after, 2, default);
                    Assert.True(folded.Select(Shown).SequenceEqual(read.Select(Shown)), $"seed {seed}, asOf {at:O}, {filter}, after {after}");
                    compared += read.Count;
                    if (read.Count < 2)
                    {
                        break;
                    }

                    after = read[^1].Id;
                }
            }
        }

        return compared;
    }

    [Fact]
    public async Task the_portfolio_pages_like_the_list_with_limit_and_cursor_and_answers_everything_without_limit()
    {
        var party = Given.NewParty();
        var ids = Enumerable.Range(0, 5).Select(i => $"folio-{party.ToLowerInvariant()}-{i}").ToList();
        foreach (var id in ids)
        {
            ledger.Clock.Advance(TimeSpan.FromSeconds(1));
            await ledger.Host.ProposedAsync(id, party, "JP");
        }

        ledger.Clock.Advance(TimeSpan.FromSeconds(1));
        await ledger.Host.PostAsync($"/agreements/{ids[1]}/signatures", new { party, occurredOn = "2024-02-01" }, 200);
        var asOf = Uri.EscapeDataString(ledger.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

        foreach (var known in new[] { "", $"&asOf={asOf}" })
        {
            var pages = new List<List<string>>();
            string? cursor = null;
            do
            {
                var page = await ledger.Host.GetAsync($"/parties/{party}/agreements?limit=2{known}" + (cursor is null ? "" : "&cursor=" + cursor));
                Assert.Equal(party, page["party"].GetString());
                pages.Add([.. page["agreements"].EnumerateArray().Select(a => a.GetProperty("id").GetString()!)]);
                cursor = page.Body.TryGetProperty("next", out var next) ? next.GetString() : null;
            }
            while (cursor is not null);

            Assert.Equal([[ids[0], ids[1]], [ids[2], ids[3]], [ids[4]]], pages);

            var whole = await ledger.Host.GetAsync($"/parties/{party}/agreements?{known.TrimStart('&')}");
            Assert.False(whole.Body.TryGetProperty("next", out _));
            Assert.Equal(ids, whole["agreements"].EnumerateArray().Select(a => a.GetProperty("id").GetString()!));
            var signed = whole["agreements"].EnumerateArray().Single(a => a.GetProperty("id").GetString() == ids[1]);
            Assert.Equal("2024-02-01", signed.GetProperty("signedOn").GetString());

            // A page that is exactly the rest has no next.
            var last = await ledger.Host.GetAsync($"/parties/{party}/agreements?limit=5{known}");
            Assert.False(last.Body.TryGetProperty("next", out _));
            Assert.Equal(5, last["agreements"].GetArrayLength());
        }

        foreach (var bad in new[] { "limit=0", "limit=101", "limit=two", "limit=-1", "cursor=forged", "limit=2&cursor=forged", $"cursor=forged&asOf={asOf}" })
        {
            var problem = await ledger.Host.GetAsync($"/parties/{party}/agreements?{bad}", 400);
            Assert.Equal(bad.Contains("cursor") ? "cursor" : "limit", problem["errors"].EnumerateObject().Single().Name);
        }

        await ledger.Host.GetAsync($"/parties/{party}/agreements?limit=100", 200);
        await ledger.Host.GetAsync($"/parties/{party}/agreements?limit=1", 200);
    }

    private static string Day(int days) => Start.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<List<string>> ShownAsync(Task<IReadOnlyList<Agreement>> read) => [.. (await read).Select(Shown)];

    /// <summary>A command as a client sends it, whatever it answers: the random history keeps what the rules admit.</summary>
    private async Task PostAsync(string url, object body) =>
        await ledger.Host.Scenario(s =>
        {
            s.Post.RawJson(Given.Body(body)).ToUrl(url);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.IgnoreStatusCode();
        });
}
