using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Benchmarks.Suite;
using AgreementLedger.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// <c>-- scale [events] [agreements] [--out FILE]</c> (issue 19's scale run; 10,000,000 events over 100,000 agreements
/// unless told): a ledger loaded straight into PostgreSQL (<see cref="VerifyMillion.LoadAsync"/>: valid chains, the
/// proposal then source citations), then each whole-ledger task beside its floor in the same run, on one throwaway
/// cluster with fsync on:
/// <list type="bullet">
/// <item>the Merkle tree's build (the extender's steps), timed alone;</item>
/// <item>verify (chains, digests and the tree recomputed and compared) beside raw Npgsql reading the rows with a SHA-256 each;</item>
/// <item><c>rebuild-snapshots</c> (snapshots and the list's version rows) beside W5's hand-written one-pass fold;</item>
/// <item>the feed's catch-up from 0 (<c>GET /events?limit=1000</c>, in-memory HTTP) beside raw keyset paging;</item>
/// <item><c>GET /audit/export?format=ndjson</c> streamed from the service as its own process (ReadyToRun) beside raw
/// Npgsql reading every row once in position order and parsing its data;</item>
/// <item>the list and the portfolio as known at an instant (L1's two requests) beside L1's floor.</item>
/// </list>
/// The tree is built by a host that keeps it off (so that nothing extends it meanwhile); everything after runs on a
/// host, and a service process, with every default on. Prints the table and writes it to FILE.
/// </summary>
public static class ScaleRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var numbers = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var events = numbers.Length > 0 ? numbers[0] : 10_000_000;
        var agreements = numbers.Length > 1 ? numbers[1] : 100_000;
        var outIndex = Array.IndexOf(args, "--out");
        var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;

        var took = Stopwatch.StartNew();
        var root = Path.Combine(Path.GetTempPath(), "agreement-ledger-bench", $"scale-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(root));
        var rows = new List<Row>();
        var steps = new List<string>();
        void Step(string what, TimeSpan elapsed)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{what}: {elapsed.TotalSeconds:F1} s (at {took.Elapsed.TotalMinutes:F1} min)");
            steps.Add(line);
            Console.WriteLine(line);
        }

        try
        {
            long leaves;
            await using (var quiet = await BenchmarkLedger.StartAsync(cluster, "scale", VerifyMillion.TreeBuiltOnDemand))
            {
                var watch = Stopwatch.StartNew();
                await VerifyMillion.LoadAsync(quiet, events, agreements, progress: n => Console.WriteLine($"  loaded {n:N0} events ({took.Elapsed.TotalMinutes:F1} min)"));
                Step($"loaded {events:N0} events over {agreements:N0} agreements with COPY", watch.Elapsed);
                watch.Restart();
                await FeedCatchUp.VacuumAsync(quiet);
                Step("vacuum analyze", watch.Elapsed);

                (leaves, var built) = await VerifyMillion.BuildTreeAsync(quiet);
                Step("Merkle tree built", built);
                rows.Add(new Row($"Scale: Merkle tree built over {leaves:N0} loaded events", "—",
                    $"{Format.Rate(leaves / built.TotalSeconds)} ({Format.Seconds(built)})", "—", "—", null));

                rows.Add(await VerifyAsync(quiet, Step));
            }

            await using (var ledger = await BenchmarkLedger.StartAsync(cluster, "scale", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" }))
            {
                rows.Add(await RebuildAsync(ledger, events, agreements, Step));
                rows.Add(await FeedAsync(ledger, Step));
                rows.Add(await ExportAsync(ledger, Step));
                rows.AddRange(await ListsAsync(ledger, agreements, events, Step));
            }
        }
        finally
        {
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }

        var report = new System.Text.StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## Scale run, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- scale {string.Join(' ', args)}` ({took.Elapsed.TotalMinutes:F1} min)");
        report.AppendLine();
        report.Append(Format.Table(rows));
        report.AppendLine();
        report.AppendLine("Steps, in order:");
        report.AppendLine();
        foreach (var step in steps)
        {
            report.AppendLine("- " + step);
        }

        Console.WriteLine();
        Console.WriteLine(report);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.ToString());
            Console.WriteLine($"written to {output}");
        }

        return 0;
    }

    private static async Task<Row> VerifyAsync(BenchmarkLedger ledger, Action<string, TimeSpan> step)
    {
        var (raw, _, _) = await VerifyMillion.MeasureAsync(() => VerifyMillion.RawReadAndHashAsync(ledger));
        step("floor: raw read + SHA-256", raw);
        VerificationReport report = null!;
        var verifier = ledger.Host.Services.GetRequiredService<LedgerVerifier>();
        var (verify, _, _) = await VerifyMillion.MeasureAsync(async () => report = await verifier.VerifyAsync(null, CancellationToken.None));
        step("verify", verify);
        if (!report.Verified)
        {
            throw new InvalidOperationException($"verify failed: {report.Failures[0].Reason}");
        }

        var (rawRate, verifyRate) = (report.EventsChecked / raw.TotalSeconds, report.EventsChecked / verify.TotalSeconds);
        return new Row($"Scale: whole-ledger verify, {report.EventsChecked:N0} events",
            $"{Format.Rate(rawRate)} ({Format.Seconds(raw)}, raw Npgsql read + SHA-256)", $"{Format.Rate(verifyRate)} ({Format.Seconds(verify)}, verified)",
            Format.Ratio(verifyRate / rawRate), "≥ 0.5 (T1's)", verifyRate / rawRate >= 0.5);
    }

    private static async Task<Row> RebuildAsync(BenchmarkLedger ledger, int events, int agreements, Action<string, TimeSpan> step)
    {
        var watch = Stopwatch.StartNew();
        var folded = await W5Rebuild.HandFoldAsync(ledger);
        var baseline = watch.Elapsed;
        step("floor: hand-written one-pass fold", baseline);
        watch.Restart();
        var rebuilder = ledger.Host.Services.GetRequiredService<AgreementLedger.Agreements.Rebuilding.SnapshotRebuilder>();
        await rebuilder.RebuildAsync(CancellationToken.None);
        var rebuild = watch.Elapsed;
        step("rebuild-snapshots", rebuild);
        if (folded != agreements)
        {
            throw new InvalidOperationException($"the hand fold wrote {folded} snapshots, the ledger holds {agreements} agreements");
        }

        return new Row($"Scale: rebuild-snapshots, {events:N0} events ({agreements:N0} agreements; snapshots and the list's version rows)",
            Format.Seconds(baseline) + " (hand-written one-pass fold, snapshots only)", Format.Seconds(rebuild) + " (`rebuild-snapshots`)",
            Format.Ratio(baseline / rebuild), "≥ 0.5 (W5's)", baseline / rebuild >= 0.5, "ratio = baseline time ÷ ledger time");
    }

    private static async Task<Row> FeedAsync(BenchmarkLedger ledger, Action<string, TimeSpan> step)
    {
        var watch = Stopwatch.StartNew();
        var rawCount = await FeedCatchUp.RawAsync(ledger);
        var raw = watch.Elapsed;
        step("floor: raw keyset paging", raw);
        watch.Restart();
        var feedCount = await FeedCatchUp.FeedAsync(ledger);
        var feed = watch.Elapsed;
        step("feed catch-up, GET /events following next", feed);
        if (rawCount != feedCount)
        {
            throw new InvalidOperationException($"the feed served {feedCount} events, the table holds {rawCount}");
        }

        var (rawRate, feedRate) = (rawCount / raw.TotalSeconds, feedCount / feed.TotalSeconds);
        return new Row($"Scale: feed catch-up from 0, {feedCount:N0} events (in-memory HTTP, pages of 1,000)",
            $"{Format.Rate(rawRate)} ({Format.Seconds(raw)}, raw keyset paging)", $"{Format.Rate(feedRate)} ({Format.Seconds(feed)})",
            Format.Ratio(feedRate / rawRate), "≥ 0.5 (W4's)", feedRate / rawRate >= 0.5);
    }

    private static async Task<Row> ExportAsync(BenchmarkLedger ledger, Action<string, TimeSpan> step)
    {
        var watch = Stopwatch.StartNew();
        var rawCount = await RawExportAsync(ledger);
        var raw = watch.Elapsed;
        step("floor: one raw read in position order", raw);

        var published = await ServiceUnderLoad.PublishAsync();
        await using var service = await ServiceUnderLoad.StartAsync(ledger.ConnectionString, "/health/ready", published);
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(BenchmarkLedger.AdminBearer);
        watch.Restart();
        using var answer = await client.GetAsync("/audit/export?format=ndjson", HttpCompletionOption.ResponseHeadersRead);
        answer.EnsureSuccessStatusCode();
        using var body = new StreamReader(await answer.Content.ReadAsStreamAsync());
        long exported = 0, records = 0, bytes = 0;
        while (await body.ReadLineAsync() is { } line)
        {
            bytes += line.Length + 1;
            records++;
            // The events come first, each a record "event"; the kept digests, the signed digest and the checkpoint follow.
            if (line.StartsWith("{\"record\":\"event\"", StringComparison.Ordinal))
            {
                exported++;
            }
        }

        var export = watch.Elapsed;
        step("GET /audit/export?format=ndjson, streamed", export);
        if (exported != rawCount)
        {
            throw new InvalidOperationException($"the export held {exported} events of {records} records, the table holds {rawCount}");
        }

        var (rawRate, exportRate) = (rawCount / raw.TotalSeconds, exported / export.TotalSeconds);
        return new Row($"Scale: GET /audit/export?format=ndjson, {exported:N0} events (over a socket from the service's process)",
            $"{Format.Rate(rawRate)} ({Format.Seconds(raw)}, raw Npgsql: one read in position order, each event's data parsed)",
            $"{Format.Rate(exportRate)} ({Format.Seconds(export)})", Format.Ratio(exportRate / rawRate), "—", null,
            $"{records:N0} NDJSON records, {bytes / 1048576.0:N0} MiB; service peak RSS {Format.Mb(service.Memory().Peak)}");
    }

    private static async Task<long> RawExportAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select seq_id, stream_id, version, type, data, timestamp, user_name, headers ->> 'hash' from ledger.mt_events order by seq_id", connection);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        long count = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt64(0);
            _ = reader.GetString(1);
            _ = reader.GetInt64(2);
            _ = reader.GetString(3);
            using var data = JsonDocument.Parse(reader.GetString(4));
            _ = reader.GetFieldValue<DateTimeOffset>(5);
            _ = reader.GetString(6);
            _ = reader.GetString(7);
            count++;
        }

        return count;
    }

    private static async Task<List<Row>> ListsAsync(BenchmarkLedger ledger, int agreements, int events, Action<string, TimeSpan> step)
    {
        var watch = Stopwatch.StartNew();
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        var middle = VerifyMillion.AgreementId(agreements / 2, agreements);
        var rows = new List<Row>();
        foreach (var (name, url) in new[]
        {
            ("GET /agreements?asOf=&party=<none>", $"/agreements?asOf={asOf}&party=ZZ"),
            ("GET /parties/JP/agreements?asOf=&limit=20", $"/parties/JP/agreements?asOf={asOf}&limit=20"),
        })
        {
            var floor = new Samples();
            var http = new Samples();
            for (var i = 0; i < 203; i++)
            {
                var one = Stopwatch.StartNew();
                await L1ListAsOf.FloorAsync(ledger, middle);
                floor.AddAfterWarmUp(i, one.Elapsed);
                one.Restart();
                await ledger.GetOkAsync(url);
                http.AddAfterWarmUp(i, one.Elapsed);
            }

            var p50 = http.Percentile(50);
            rows.Add(new Row($"Scale: {name}, {agreements:N0} agreements / {events:N0} events",
                $"p50 {Format.Ms(floor.Percentile(50))}, p99 {Format.Ms(floor.Percentile(99))} (raw Npgsql, 20 snapshot rows)",
                $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))}", Format.Ratio(floor.Percentile(50) / p50),
                "p50 ≤ 10 ms (L1's)", p50 <= 10, "200 requests after 3 to warm up, in-memory HTTP; ratio = floor p50 ÷ ledger p50"));
        }

        step("list and portfolio with asOf, 2 × 203 requests and their floors", watch.Elapsed);
        return rows;
    }
}
