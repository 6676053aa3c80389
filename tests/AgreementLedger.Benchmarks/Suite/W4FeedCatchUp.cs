using System.Diagnostics;
using AgreementLedger.LocalPostgres;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W4: a consumer reads the whole ledger from position 0 through <c>GET /events?limit=1000</c>
/// (in-memory HTTP), following <c>next</c>. Baseline: raw keyset paging over the events table,
/// 1,000 rows at a time, parsing each event's data.
/// </summary>
public static class W4FeedCatchUp
{
    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w4", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        await VerifyMillion.LoadAsync(ledger, sizes.W4Events);
        await FeedCatchUp.VacuumAsync(ledger);

        var raw = Stopwatch.StartNew();
        var rawCount = await FeedCatchUp.RawAsync(ledger);
        raw.Stop();
        var feed = Stopwatch.StartNew();
        var feedCount = await FeedCatchUp.FeedAsync(ledger);
        feed.Stop();
        if (rawCount != feedCount)
        {
            throw new InvalidOperationException($"the feed served {feedCount} events, the table holds {rawCount}");
        }

        var rawRate = rawCount / raw.Elapsed.TotalSeconds;
        var feedRate = feedCount / feed.Elapsed.TotalSeconds;
        return
        [
            new Row($"W4 feed catch-up from 0, {feedCount:N0} events", Format.Rate(rawRate), Format.Rate(feedRate),
                Format.Ratio(feedRate / rawRate), "≥ 0.5", feedRate / rawRate >= 0.5),
        ];
    }
}
