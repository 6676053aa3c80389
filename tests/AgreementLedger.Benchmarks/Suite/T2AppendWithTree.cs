using System.Globalization;
using AgreementLedger.LocalPostgres;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// T2 (#18 point 6): W1 — its command over HTTP, 1 and 16 closed-loop writers, and 16 while 4 consumers follow the
/// feed at its head — on the service with the Merkle tree against the same service with the tree switched off
/// (<see cref="TreeMode"/>), <see cref="SuiteSizes.TreeRounds"/> alternating rounds. The floor is the run without the
/// tree; each rate is all commands of its rounds over all their time.
/// </summary>
public static class T2AppendWithTree
{
    private static readonly (string Name, int Writers, int Consumers)[] Phases =
    [
        ("1 writer", 1, 0),
        ("16 writers", 16, 0),
        ("16 writers while 4 consumers follow the feed at its head", 16, 4),
    ];

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        var modes = await TreeMode.PrepareAsync(cluster, "t2", sizes.W1Agreements);
        var results = modes.ToDictionary(m => m.Tree, _ => Phases.Select(_ => new List<(Driver.Result Run, long Served)>()).ToArray());
        for (var round = 0; round < sizes.TreeRounds; round++)
        {
            foreach (var mode in modes)
            {
                await using var service = await mode.StartAsync();
                for (var p = 0; p < Phases.Length; p++)
                {
                    var (_, writers, consumers) = Phases[p];
                    using var following = new CancellationTokenSource();
                    var followers = Enumerable.Range(0, consumers).Select(_ => Task.Run(() => FeedFollower.FollowAsync(service.Client, following.Token))).ToArray();
                    var run = await Driver.RunAsync(writers, sizes.W1Duration, (writer, n) => mode.Commands.AppendAsync(service.Client, mode.Commands.Pick(writers, writer, n)));
                    await following.CancelAsync();
                    results[mode.Tree][p].Add((run, (await Task.WhenAll(followers)).Sum()));
                }
            }
        }

        var rows = new List<Row>();
        for (var p = 0; p < Phases.Length; p++)
        {
            var (with, without) = (results[true][p], results[false][p]);
            double Rate(List<(Driver.Result Run, long Served)> runs) => runs.Sum(r => r.Run.Succeeded) / runs.Sum(r => r.Run.Elapsed.TotalSeconds);
            var ratio = Rate(with) / Rate(without);
            var perRound = string.Join(", ", with.Zip(without, (a, b) => Format.Ratio(a.Run.PerSecond / b.Run.PerSecond)));
            rows.Add(new Row(
                $"T2 W1 with the tree against without it, {Phases[p].Name} ({sizes.W1Agreements:N0} agreements)",
                $"{Format.Rate(Rate(without))} without the tree (p99 {Format.Ms(without.Max(r => r.Run.Latency.Percentile(99)))})",
                $"{Format.Rate(Rate(with))} with the tree (p99 {Format.Ms(with.Max(r => r.Run.Latency.Percentile(99)))})",
                Format.Ratio(ratio), "≥ 0.9", ratio >= 0.9,
                string.Create(CultureInfo.InvariantCulture,
                    $"{with.Count} alternating rounds of {sizes.W1Duration.TotalSeconds:F0} s, ratio per round {perRound}; {with.Sum(r => r.Run.Succeeded):N0} commands with the tree ({with.Sum(r => r.Run.Failed)} refused), {without.Sum(r => r.Run.Succeeded):N0} without ({without.Sum(r => r.Run.Failed)} refused){Served(p, with, without)}")));
        }

        return rows;
    }

    private static string Served(int phase, List<(Driver.Result Run, long Served)> with, List<(Driver.Result Run, long Served)> without) =>
        Phases[phase].Consumers == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; the consumers were served {with.Sum(r => r.Served):N0} events with the tree, {without.Sum(r => r.Served):N0} without");
}
