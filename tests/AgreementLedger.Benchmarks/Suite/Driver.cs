using System.Diagnostics;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>A closed-loop load driver: each writer issues its next operation when the last answered.</summary>
public static class Driver
{
    public sealed record Result(int Succeeded, int Failed, TimeSpan Elapsed, Samples Latency)
    {
        public double PerSecond => Succeeded / Elapsed.TotalSeconds;
    }

    /// <summary>Runs <paramref name="writers"/> loops of <paramref name="operation"/>(writer, n) for <paramref name="duration"/>.</summary>
    public static async Task<Result> RunAsync(int writers, TimeSpan duration, Func<int, int, Task<bool>> operation)
    {
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, writers).Select(async writer =>
        {
            await Task.Yield();
            var latency = new Samples();
            int ok = 0, failed = 0;
            for (var n = 0; clock.Elapsed < duration; n++)
            {
                var one = Stopwatch.StartNew();
                if (await operation(writer, n))
                {
                    ok++;
                }
                else
                {
                    failed++;
                }

                latency.Add(one.Elapsed);
            }

            return (ok, failed, latency);
        }).ToList();
        var results = await Task.WhenAll(loops);
        var elapsed = clock.Elapsed;
        var all = new Samples();
        foreach (var r in results)
        {
            all.AddRange(r.latency);
        }

        return new Result(results.Sum(r => r.ok), results.Sum(r => r.failed), elapsed, all);
    }
}
