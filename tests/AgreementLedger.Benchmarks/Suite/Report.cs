using System.Globalization;
using System.Text;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>One line of the suite's table: a workload beside its same-run baseline.</summary>
public sealed record Row(string Workload, string Baseline, string Ledger, string Ratio, string Target, bool? Met, string Note = "");

public enum SuiteSize
{
    Quick,
    Full,
}

/// <summary>Sizes of each workload for a quick look and for the figures of record.</summary>
public sealed record SuiteSizes(
    int W1Agreements, TimeSpan W1Duration, int W1HistoryAppends,
    int W2Operations,
    int[] W3Events, int W3Requests,
    int W4Events, int W5Events, int W6Events, int ColdStarts,
    int TreeEvents, int TreeRequests, int TreeRounds)
{
    public static SuiteSizes For(SuiteSize size) => size == SuiteSize.Full
        ? new(10_000, TimeSpan.FromSeconds(15), 200, 2_000, [10, 1_000, 10_000, 100_000], 200, 100_000, 1_000_000, 100_000, 5, 1_000_000, 200, 2)
        : new(1_000, TimeSpan.FromSeconds(4), 40, 300, [10, 1_000, 10_000, 100_000], 40, 20_000, 100_000, 20_000, 2, 20_000, 50, 1);
}

public static class Format
{
    public static string Rate(double perSecond) => string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0}/s");

    public static string Ms(double ms) => ms >= 100
        ? string.Create(CultureInfo.InvariantCulture, $"{ms:F0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:F2} ms");

    public static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F2} s");

    public static string Ratio(double r) => string.Create(CultureInfo.InvariantCulture, $"{r:F2}");

    public static string Mb(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F0} MB");

    public static string Table(IEnumerable<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| workload | baseline (same run) | AgreementLedger | ratio | target | met |");
        text.AppendLine("|---|---:|---:|---:|---|---|");
        foreach (var row in rows)
        {
            var met = row.Met switch { true => "yes", false => "**no**", null => "—" };
            text.Append(CultureInfo.InvariantCulture, $"| {row.Workload} | {row.Baseline} | {row.Ledger} | {row.Ratio} | {row.Target} | {met} |").AppendLine();
        }

        var notes = rows.Where(r => r.Note.Length > 0).ToList();
        if (notes.Count > 0)
        {
            text.AppendLine();
            foreach (var row in notes)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {row.Workload}: {row.Note}").AppendLine();
            }
        }

        return text.ToString();
    }
}

/// <summary>Latency samples and their percentiles.</summary>
public sealed class Samples
{
    private readonly List<double> _ms = [];

    public void Add(TimeSpan elapsed) => _ms.Add(elapsed.TotalMilliseconds);

    /// <summary>Adds the <paramref name="i"/>-th request's time, unless it is one of the first three (the warm-up).</summary>
    public void AddAfterWarmUp(int i, TimeSpan elapsed)
    {
        if (i >= 3)
        {
            Add(elapsed);
        }
    }

    public void AddRange(Samples other) => _ms.AddRange(other._ms);

    public int Count => _ms.Count;

    public double Percentile(double p)
    {
        if (_ms.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _ms.Order().ToArray();
        var index = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
