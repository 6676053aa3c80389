using System.Diagnostics;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W1's rows of issue 19, point 2: a command's cost independent of its agreement's history. W1's command
/// (cite a source, If-Match) on an agreement of 10,000 events against the same command on one of 10
/// events, alternating, in the same run; p50 of each. Two histories, both brought in by the bulk import:
/// the proposal and then negotiation rounds (a state the answer shows in constant size), and the proposal
/// and then source citations (every one of which the answer lists, so the answer itself grows).
/// </summary>
public static class W1LongHistory
{
    private const int Short = 10;

    private const int Long = 10_000;

    private static readonly DateOnly Day = new(2024, 1, 1);

    /// <summary>The histories, as (name, agreement of <see cref="Short"/> events, of <see cref="Long"/> events).</summary>
    private static readonly (string Name, string Prefix, Func<int, IAgreementEvent> Later)[] Histories =
    [
        ("negotiation rounds", "rounds", _ => new NegotiationRoundHeld(Day, "Geneva", ["JP", "GB"], null)),
        ("source citations", "citations", version => new SourceCited("Reuters", $"https://example.org/{version}", Day, null, Day)),
    ];

    /// <summary>Imports each history's two agreements (before the service starts).</summary>
    public static async Task ImportAsync(BenchmarkLedger setup)
    {
        var histories = Histories.SelectMany(h => new[] { Short, Long }.Select(count =>
        {
            var id = $"{h.Prefix}-{count}";
            IAgreementEvent[] events =
            [
                new AgreementProposed(id, "History " + id, "treaty", ["JP", "GB"], ["defence-industry"], null, Day, []),
                .. Enumerable.Range(2, count - 1).Select(h.Later),
            ];
            return new AgreementHistory(id, events);
        })).ToList();
        await setup.Host.Services.GetRequiredService<BulkImporter>().ImportAsync(histories, "bench", CancellationToken.None);
    }

    /// <summary>One row per history: <paramref name="appends"/> alternating appends to each agreement (3 more of each to warm up).</summary>
    public static async Task<List<Row>> RunAsync(HttpClient client, int appends)
    {
        var rows = new List<Row>();
        foreach (var (name, prefix, _) in Histories)
        {
            var shortOne = new SourceCitations([$"{prefix}-{Short}"], Short);
            var longOne = new SourceCitations([$"{prefix}-{Long}"], Long);
            var atShort = new Samples();
            var atLong = new Samples();
            var refused = 0;
            for (var i = 0; i < appends + 3; i++)
            {
                refused += await TimedAsync(() => shortOne.AppendAsync(client, 0), i >= 3 ? atShort : null);
                refused += await TimedAsync(() => longOne.AppendAsync(client, 0), i >= 3 ? atLong : null);
            }

            var ratio = atLong.Percentile(50) / atShort.Percentile(50);
            rows.Add(new Row(
                $"W1 append at {Long:N0} events against at {Short} ({name})",
                $"at {Short}: p50 {Format.Ms(atShort.Percentile(50))}, p99 {Format.Ms(atShort.Percentile(99))}",
                $"at {Long:N0}: p50 {Format.Ms(atLong.Percentile(50))}, p99 {Format.Ms(atLong.Percentile(99))}",
                Format.Ratio(ratio),
                "≤ 1.5",
                ratio <= 1.5,
                $"{appends} alternating appends to each (after 3 of each to warm up), {refused} refused; ratio = p50 at {Long:N0} ÷ p50 at {Short}"));
        }

        return rows;
    }

    private static async Task<int> TimedAsync(Func<Task<bool>> append, Samples? into)
    {
        var one = Stopwatch.StartNew();
        var ok = await append();
        into?.Add(one.Elapsed);
        return ok ? 0 : 1;
    }
}
