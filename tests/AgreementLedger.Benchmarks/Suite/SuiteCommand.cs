using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AgreementLedger.LocalPostgres;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// <c>-- suite quick|full [--out FILE] [--only W1,W3]</c>: every workload of issue 8 (W1…W6) and of issue 18's
/// Merkle tree (T1 the tree, checkpoints, proofs and verify at scale; T2 W1 with and without the tree; T3 the feed's
/// lag with and without it) and of issue 19's list and portfolio as of an instant (L1) beside its
/// baseline, and issue 21's portfolio first paint in a browser (P1) beside the same page on a ledger of 10, on one
/// throwaway PostgreSQL cluster with fsync on; prints the table and writes it (with the machine it ran on) to FILE.
/// </summary>
public static class SuiteCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var size = args.Length > 0 && args[0].Equals("full", StringComparison.OrdinalIgnoreCase) ? SuiteSize.Full : SuiteSize.Quick;
        var outIndex = Array.IndexOf(args, "--out");
        var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length
            ? args[onlyIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : null;
        var sizes = SuiteSizes.For(size);

        var root = Path.Combine(Path.GetTempPath(), "agreement-ledger-bench", $"suite-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(root));
        var rows = new List<Row>();
        var took = Stopwatch.StartNew();
        try
        {
            var workloads = new (string Name, Func<Task<List<Row>>> Run)[]
            {
                ("W1", () => W1AppendOverHttp.RunAsync(cluster, sizes)),
                ("W2", () => W2RoundTrip.RunAsync(cluster, sizes)),
                ("W3", () => W3TimeTravel.RunAsync(cluster, sizes)),
                ("L1", () => L1ListAsOf.RunAsync(cluster, sizes)),
                ("P1", () => P1PortfolioFirstPaint.RunAsync(cluster, sizes)),
                ("W4", () => W4FeedCatchUp.RunAsync(cluster, sizes)),
                ("W5", () => W5Rebuild.RunAsync(cluster, sizes)),
                ("W6", () => W6BulkImport.RunAsync(cluster, sizes)),
                ("T1", () => T1TreeAtScale.RunAsync(cluster, sizes)),
                ("T2", () => T2AppendWithTree.RunAsync(cluster, sizes)),
                ("T3", () => T3FeedLag.RunAsync(cluster, sizes)),
            };
            foreach (var (name, run) in workloads.Where(w => only is null || only.Contains(w.Name)))
            {
                var watch = Stopwatch.StartNew();
                Console.WriteLine($"{name}: running…");
                var result = await run();
                rows.AddRange(result);
                Console.WriteLine(Format.Table(result));
                Console.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F0} s");
            }
        }
        finally
        {
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## Suite ({size.ToString().ToLowerInvariant()}), {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- suite {string.Join(' ', args)}` ({took.Elapsed.TotalMinutes:F1} min)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}");
        report.AppendLine();
        report.Append(Format.Table(rows));
        Console.WriteLine();
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.ToString());
            Console.WriteLine($"written to {output}");
        }

        return rows.Any(r => r.Met == false) ? 1 : 0;
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]
            : "0";
        return string.Create(CultureInfo.InvariantCulture,
            $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {long.Parse(memory, CultureInfo.InvariantCulture) / 1048576.0:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, PostgreSQL from the machine's binaries (throwaway cluster, fsync on)");
    }
}
