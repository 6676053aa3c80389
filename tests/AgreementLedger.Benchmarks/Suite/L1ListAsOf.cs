using System.Diagnostics;
using System.Globalization;
using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// L1 (issue 19 point 4): the list and the portfolio as known at an instant, on a ledger of 10,000 agreements of
/// 10 events each (100,000 events, loaded with the bulk importer): <c>GET /agreements?asOf=&amp;party=</c> with a
/// party no agreement has, and <c>GET /parties/JP/agreements?asOf=&amp;limit=20</c> (JP is a party to every one),
/// in-memory HTTP, p50 and p99. Same-run floor: raw Npgsql reading 20 snapshot rows in id order (what any page
/// of 20 costs at least). Before: the fold of the events recorded by then (<see cref="KnownAgreements.FoldedAsync"/>,
/// what both answered from before the version rows; in-process, so without HTTP).
/// </summary>
public static class L1ListAsOf
{
    private const int Agreements = 10_000;
    private const int EventsEach = 10;
    private static readonly DateOnly Day = new(2024, 1, 10);
    private static readonly string[] Others = ["GB", "IT", "FR", "DE", "KR", "US", "NO", "PH", "AU", "CA"];

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "l1", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var histories = Enumerable.Range(0, Agreements).Select(a =>
        {
            var id = $"listed-{a:D5}";
            var other = Others[a % Others.Length];
            var events = new List<IAgreementEvent>
            {
                new AgreementProposed(id, "Listed " + id, a % 3 == 0 ? "treaty" : "partnership", ["JP", other], ["defence-industry"], null, Day, []),
                new NegotiationRoundHeld(Day.AddDays(1), "Tokyo", ["JP", other], null),
                new PartySigned("JP", Day.AddDays(2), null, null),
            };
            while (events.Count < EventsEach)
            {
                events.Add(new SourceCited("Reuters", $"https://example.org/{id}/{events.Count}", Day, null, Day.AddDays(3)));
            }

            return new AgreementHistory(id, events);
        }).ToList();
        await ledger.Host.Services.GetRequiredService<BulkImporter>().ImportAsync(histories, "bench", CancellationToken.None);
        await FeedCatchUp.VacuumAsync(ledger);
        var asOf = DateTimeOffset.UtcNow;
        var asOfText = Uri.EscapeDataString(asOf.ToString("O", CultureInfo.InvariantCulture));
        var known = ledger.Host.Services.GetRequiredService<KnownAgreements>();

        var rows = new List<Row>();
        foreach (var (name, url, filter, count) in new (string, string, ListFilter, int?)[]
        {
            ("GET /agreements?asOf=&party=<none>", $"/agreements?asOf={asOfText}&party=ZZ", new ListFilter("ZZ", null, null, null), 21),
            ("GET /parties/JP/agreements?asOf=&limit=20", $"/parties/JP/agreements?asOf={asOfText}&limit=20", new ListFilter("JP", null, null, null), 21),
        })
        {
            var floor = new Samples();
            var http = new Samples();
            for (var i = 0; i < sizes.W3Requests + 3; i++)
            {
                var one = Stopwatch.StartNew();
                await FloorAsync(ledger);
                floor.AddAfterWarmUp(i, one.Elapsed);

                one.Restart();
                await ledger.GetOkAsync(url);
                http.AddAfterWarmUp(i, one.Elapsed);
            }

            // The fold reads every event for a filter that matches nothing: one warm-up and three samples say enough.
            var fold = new Samples();
            for (var i = 0; i < 4; i++)
            {
                var one = Stopwatch.StartNew();
                await known.FoldedAsync(asOf, filter, null, count, CancellationToken.None);
                if (i > 0)
                {
                    fold.Add(one.Elapsed);
                }
            }

            var p50 = http.Percentile(50);
            rows.Add(new Row($"L1 {name}, {Agreements:N0} agreements / {Agreements * EventsEach:N0} events",
                $"p50 {Format.Ms(floor.Percentile(50))}, p99 {Format.Ms(floor.Percentile(99))} (raw Npgsql, 20 snapshot rows)",
                $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))}",
                Format.Ratio(floor.Percentile(50) / p50),
                "p50 ≤ 10 ms", p50 <= 10,
                $"{sizes.W3Requests} requests; ratio = floor p50 ÷ ledger p50; before (the fold of the events recorded by then, in-process) p50 {Format.Ms(fold.Percentile(50))} " +
                $"({fold.Percentile(50) / p50:F0}× the ledger now)"));
        }

        return rows;
    }

    /// <summary>Raw Npgsql reading the 20 snapshot rows after <paramref name="after"/> in id order.</summary>
    internal static async Task<int> FloorAsync(BenchmarkLedger ledger, string after = "listed-05000")
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select id, data from ledger.mt_doc_agreement where id > $1 order by id limit 20", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        await using var reader = await command.ExecuteReaderAsync();
        var n = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetString(1);
            n++;
        }

        return n;
    }
}
