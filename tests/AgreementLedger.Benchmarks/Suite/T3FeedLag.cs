using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AgreementLedger.LocalPostgres;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// T3 (#18 point 6): the feed's lag behind a commit — from a command's 2xx to the first answer of <c>GET /events</c>
/// (one consumer polling at the head, <see cref="FeedFollower"/>) that serves its event — on the service with the
/// Merkle tree against the same service with it switched off (<see cref="TreeMode"/>): a paced writer (one command
/// every 20 ms) and 16 closed-loop writers, <see cref="SuiteSizes.TreeRounds"/> alternating rounds. An event served
/// before its command's answer arrived counts as lag 0.
/// </summary>
public static class T3FeedLag
{
    private static readonly (string Name, int Writers, TimeSpan Pace)[] Phases =
    [
        ("one writer, a command every 20 ms", 1, TimeSpan.FromMilliseconds(20)),
        ("16 closed-loop writers", 16, TimeSpan.Zero),
    ];

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        var modes = await TreeMode.PrepareAsync(cluster, "t3", 1_000);
        var lags = modes.ToDictionary(m => m.Tree, _ => Phases.Select(_ => new Lag()).ToArray());
        for (var round = 0; round < sizes.TreeRounds; round++)
        {
            foreach (var mode in modes)
            {
                await using var service = await mode.StartAsync();
                for (var p = 0; p < Phases.Length; p++)
                {
                    await MeasureAsync(service, mode.Commands, Phases[p].Writers, Phases[p].Pace, sizes.W1Duration, lags[mode.Tree][p]);
                }
            }
        }

        var rows = new List<Row>();
        for (var p = 0; p < Phases.Length; p++)
        {
            var (with, without) = (lags[true][p], lags[false][p]);
            var (p50, p99) = (with.Samples.Percentile(50), with.Samples.Percentile(99));
            var (floor50, floor99) = (without.Samples.Percentile(50), without.Samples.Percentile(99));
            rows.Add(new Row($"T3 feed lag behind a commit (2xx to GET /events), {Phases[p].Name}",
                $"p50 {Format.Ms(floor50)}, p99 {Format.Ms(floor99)} without the tree",
                $"p50 {Format.Ms(p50)}, p99 {Format.Ms(p99)} with the tree",
                Format.Ratio(floor50 / p50), "p50 ≤ 2× (ratio ≥ 0.5)", p50 <= 2 * floor50,
                string.Create(CultureInfo.InvariantCulture,
                    $"ratio = lag without ÷ lag with; p99 ratio {Format.Ratio(floor99 / p99)}; {with.Samples.Count:N0} events with the tree ({with.Early} served before their 2xx arrived, {with.Unseen} not served within 10 s), {without.Samples.Count:N0} without ({without.Early} early, {without.Unseen} unseen); {sizes.TreeRounds} alternating rounds of {sizes.W1Duration.TotalSeconds:F0} s")));
        }

        return rows;
    }

    private sealed class Lag
    {
        public Samples Samples { get; } = new();

        public int Early { get; set; }

        public int Unseen { get; set; }
    }

    private static async Task MeasureAsync(ServiceUnderLoad service, SourceCitations commands, int writers, TimeSpan pace, TimeSpan duration, Lag lag)
    {
        var acknowledged = new ConcurrentDictionary<(string, long), long>();
        var served = new ConcurrentDictionary<(string, long), long>();
        using var following = new CancellationTokenSource();
        var follower = Task.Run(() => FeedFollower.FollowAsync(service.Client, following.Token, e =>
            served.TryAdd((e.GetProperty("agreementId").GetString()!, e.GetProperty("version").GetInt64()), Stopwatch.GetTimestamp())));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await Driver.RunAsync(writers, duration, async (writer, n) =>
        {
            var ok = await commands.AppendAsync(service.Client, commands.Pick(writers, writer, n), acknowledged);
            if (pace > TimeSpan.Zero)
            {
                await Task.Delay(pace);
            }

            return ok;
        });

        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(10) && acknowledged.Keys.Any(key => !served.ContainsKey(key)))
        {
            await Task.Delay(50);
        }

        await following.CancelAsync();
        await follower;
        foreach (var (key, answered) in acknowledged)
        {
            if (!served.TryGetValue(key, out var seen))
            {
                lag.Unseen++;
                continue;
            }

            if (seen < answered)
            {
                lag.Early++;
            }

            lag.Samples.Add(seen < answered ? TimeSpan.Zero : Stopwatch.GetElapsedTime(answered, seen));
        }
    }
}
