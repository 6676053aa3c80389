using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.LocalPostgres;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// T1 (#18 point 6): a ledger of <see cref="SuiteSizes.TreeEvents"/> events loaded straight into PostgreSQL
/// (<see cref="VerifyMillion.LoadAsync"/>), then — the tree's build, timed on its own; the whole-ledger verify (chains,
/// digests and the tree recomputed and compared with the stored nodes) beside raw Npgsql reading the same rows with a
/// SHA-256 each; and the checkpoint and proof routes over HTTP to the service as its own process, each beside its
/// floor: as many single-row indexed SELECTs on <c>ledger.merkle_nodes</c> by raw Npgsql as the route reads node rows
/// (<see cref="NodeReads"/>), one round trip each.
/// </summary>
public static class T1TreeAtScale
{
    /// <summary>Rounds of every route, not measured, before the first is measured.</summary>
    private const int WarmUpRounds = 100;

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        var rows = new List<Row>();
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "t1", VerifyMillion.TreeBuiltOnDemand);
        await VerifyMillion.LoadAsync(ledger, sizes.TreeEvents);
        await FeedCatchUp.VacuumAsync(ledger);

        var (leaves, built) = await VerifyMillion.BuildTreeAsync(ledger);
        rows.Add(new Row($"T1 Merkle tree built over {leaves:N0} loaded events (the extender's steps of {AgreementLedger.Ledger.Merkle.Stored.MerkleExtender.StepSize:N0})", "—",
            $"{Format.Rate(leaves / built.TotalSeconds)} ({Format.Seconds(built)})", "—", "—", null));

        var (raw, _, _) = await VerifyMillion.MeasureAsync(() => VerifyMillion.RawReadAndHashAsync(ledger));
        VerificationReport report = null!;
        var verifier = ledger.Host.Services.GetRequiredService<LedgerVerifier>();
        var (verify, _, _) = await VerifyMillion.MeasureAsync(async () => report = await verifier.VerifyAsync(null, CancellationToken.None));
        if (!report.Verified)
        {
            throw new InvalidOperationException($"verify failed: {report.Failures[0].Reason}");
        }

        var (rawRate, verifyRate) = (report.EventsChecked / raw.TotalSeconds, report.EventsChecked / verify.TotalSeconds);
        rows.Add(new Row($"T1 whole-ledger verify, {report.EventsChecked:N0} events (chains, digests, the tree recomputed and compared)",
            $"{Format.Rate(rawRate)} ({Format.Seconds(raw)}, raw Npgsql read + SHA-256)", $"{Format.Rate(verifyRate)} ({Format.Seconds(verify)}, verified)",
            Format.Ratio(verifyRate / rawRate), "≥ 0.5", verifyRate / rawRate >= 0.5,
            "one pass over the events in position order: each read once for the chains, the kept digests and the tree, " +
            "the stored nodes read beside it a span at a time"));

        var published = await ServiceUnderLoad.PublishAsync();
        await using var data = NpgsqlDataSource.Create(AgreementLedger.Infrastructure.LedgerHosting.TunedConnectionString(ledger.ConnectionString));
        await using var service = await ServiceUnderLoad.StartAsync(ledger.ConnectionString, "/health/ready", published);
        using var inProcess = ledger.Host.GetTestClient();
        inProcess.DefaultRequestHeaders.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(BenchmarkLedger.AdminBearer);
        var n = leaves;
        // The first answer keeps the newest checkpoint (of the whole tree): from then on it is a kept size.
        (await service.Client.GetAsync("/audit/checkpoint")).EnsureSuccessStatusCode();

        var random = new Random(18);
        long Leaf() => random.NextInt64(0, n);
        long Size() => random.NextInt64(1, n);
        var routes = new (string Name, Func<(string Url, List<MerkleNodeId> Reads)> Next)[]
        {
            ("GET /audit/checkpoint (the newest)", () => ("/audit/checkpoint", NodeReads.Checkpoint(n, null))),
            ("GET /audit/checkpoint?treeSize= (kept: the newest's size)", () => ($"/audit/checkpoint?treeSize={n}", NodeReads.Checkpoint(n, n))),
            ("GET /audit/checkpoint?treeSize= (unkept: a random size, signed now)", () => Size() is var s ? ($"/audit/checkpoint?treeSize={s}", NodeReads.Checkpoint(n, s)) : default),
            ("GET /audit/proofs/inclusion?position= (in the newest checkpoint)", () => Leaf() is var l ? ($"/audit/proofs/inclusion?position={l + 1}", NodeReads.Inclusion(l, n, null)) : default),
            ("GET /audit/proofs/inclusion?position=&treeSize= (a random size above the leaf)", () => Leaf() is var l && random.NextInt64(l + 1, n + 1) is var s
                ? ($"/audit/proofs/inclusion?position={l + 1}&treeSize={s}", NodeReads.Inclusion(l, n, s)) : default),
            ("GET /audit/proofs/consistency?from=&to= (a random size to the newest)", () => Size() is var m ? ($"/audit/proofs/consistency?from={m}&to={n}", NodeReads.Consistency(m, n)) : default),
        };

        // The service process was started just now: its code runs as precompiled (ReadyToRun) until the runtime has
        // recompiled what is hot, which takes some hundred calls and a moment. Every route is warmed so before any is
        // measured, so that the first routes measured do not carry the warm-up the later ones are spared.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            foreach (var (_, next) in routes)
            {
                var (url, ids) = next();
                await GetAsync(service.Client, url);
                await GetAsync(inProcess, url);
                await NodeReads.SelectEachAsync(data, ids);
            }
        }

        foreach (var (name, next) in routes)
        {
            // Each request three ways in turn, so that a burst of load on a shared machine falls on all three.
            var (http, local, floor) = (new Samples(), new Samples(), new Samples());
            long reads = 0;
            for (var i = -20; i < sizes.TreeRequests; i++)
            {
                var (url, ids) = next();
                var one = Stopwatch.StartNew();
                await GetAsync(service.Client, url);
                var overSockets = one.Elapsed;
                one.Restart();
                await GetAsync(inProcess, url);
                var inMemory = one.Elapsed;
                one.Restart();
                await NodeReads.SelectEachAsync(data, ids);
                if (i >= 0)
                {
                    reads += ids.Count;
                    http.Add(overSockets);
                    local.Add(inMemory);
                    floor.Add(one.Elapsed);
                }
            }

            var mean = reads / (double)sizes.TreeRequests;
            var p50 = http.Percentile(50);
            rows.Add(new Row($"T1 {name}, {n:N0} events",
                $"p50 {Format.Ms(floor.Percentile(50))}, p99 {Format.Ms(floor.Percentile(99))} ({mean:F1} node reads)",
                $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))} (HTTP)",
                Format.Ratio(floor.Percentile(50) / p50), "p50 ≤ 5 ms", p50 <= 5,
                string.Create(CultureInfo.InvariantCulture,
                    $"{http.Count} requests over sockets to the service's process, after {WarmUpRounds} rounds of every route and 20 of this one to warm up; in-process (in-memory HTTP) p50 {Format.Ms(local.Percentile(50))}, p99 {Format.Ms(local.Percentile(99))}; the floor: {mean:F1} single-row indexed SELECTs on ledger.merkle_nodes on average, one round trip each; ratio = floor p50 ÷ route p50")));
        }

        return rows;
    }

    private static async Task GetAsync(HttpClient client, string url)
    {
        using var answer = await client.GetAsync(url);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }

        // As a client reads it: the whole body, parsed.
        using var body = await JsonDocument.ParseAsync(await answer.Content.ReadAsStreamAsync());
    }

}
