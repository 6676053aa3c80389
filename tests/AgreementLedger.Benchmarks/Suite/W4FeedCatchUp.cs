using AgreementLedger.LocalPostgres;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W4: a consumer reads the whole ledger from position 0 through <c>GET /events?limit=1000</c>
/// (in-memory HTTP), following <c>next</c>. Baseline: raw keyset paging over the events table,
/// 1,000 rows at a time, parsing each event's data. The two (and the feed read in-process, below HTTP) take turns, a
/// round of each first not counted, then <see cref="Rounds"/> rounds; each side's median.
/// </summary>
public static class W4FeedCatchUp
{
    private const int Rounds = 3;

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w4", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        await VerifyMillion.LoadAsync(ledger, sizes.W4Events);
        await FeedCatchUp.VacuumAsync(ledger);

        var (count, readers) = await FeedCatchUp.AlternateAsync(ledger, Rounds, warmUp: true);
        var rawRate = FeedCatchUp.Median(readers[0].Rates);
        var feedRate = FeedCatchUp.Median(readers[2].Rates);
        return
        [
            new Row($"W4 feed catch-up from 0, {count:N0} events (median of {Rounds} rounds after a warm-up)",
                $"{Format.Rate(rawRate)} ({Format.Rate(readers[0].Rates.Min())}–{Format.Rate(readers[0].Rates.Max())})",
                $"{Format.Rate(feedRate)} ({Format.Rate(readers[2].Rates.Min())}–{Format.Rate(readers[2].Rates.Max())})",
                Format.Ratio(feedRate / rawRate), "≥ 0.5", feedRate / rawRate >= 0.5),
        ];
    }
}
