using System.Globalization;
using System.Text;
using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using AgreementLedger.Ledger;
using AgreementLedger.Agreements.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W1: one event per command over HTTP with If-Match (cite a source), 1 and 16 writers, each on its
/// own share of the agreements. Baseline: raw Npgsql doing the same durable work at the same
/// concurrency — in one transaction, bump the stream's version (checked against the expected one)
/// and insert the event row with its chained hash. Also the service's peak RSS and allocations
/// during the run, and cold start (process start to the first 200, database running).
/// </summary>
public static class W1AppendOverHttp
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        SourceCitations commands;
        string connectionString;
        await using (var setup = await BenchmarkLedger.StartAsync(cluster, "w1", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" }))
        {
            connectionString = setup.ConnectionString;
            commands = await SourceCitations.ImportAsync(setup, "load", sizes.W1Agreements);
            await W1LongHistory.ImportAsync(setup);
            await using var connection = setup.Connect();
            await connection.OpenAsync();
            await using var baseline = new NpgsqlCommand(
                "create schema baseline; create sequence baseline.seq; " +
                "create table baseline.streams (id varchar primary key, version bigint not null); " +
                "create table baseline.events (like ledger.mt_events including defaults including indexes); " +
                "insert into baseline.streams select id, 1 from ledger.mt_streams;", connection);
            await baseline.ExecuteNonQueryAsync();
        }

        var ids = commands.Ids.ToArray();
        var published = await ServiceUnderLoad.PublishAsync();
        var rows = new List<Row>();
        // The same pool settings as the service's own (prepared statements, no reset on return).
        await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(
            AgreementLedger.Infrastructure.LedgerHosting.TunedConnectionString(connectionString)) { MaxPoolSize = 64 }.ConnectionString);
        var baselineVersions = Enumerable.Repeat(1L, ids.Length).ToArray();
        var baselineHashes = Enumerable.Repeat(EventHash.Genesis, ids.Length).ToArray();
        await using (var service = await ServiceUnderLoad.StartAsync(connectionString, "/health/ready", published))
        {
            double sixteenAlone = 0;
            foreach (var writers in new[] { 1, 16 })
            {
                int Pick(int writer, int n) => commands.Pick(writers, writer, n);

                var raw = await Driver.RunAsync(writers, sizes.W1Duration, async (writer, n) =>
                {
                    var i = Pick(writer, n);
                    var (ok, hash) = await RawAppendAsync(data, ids[i], baselineVersions[i], baselineHashes[i]);
                    if (ok)
                    {
                        baselineVersions[i]++;
                        baselineHashes[i] = hash;
                    }

                    return ok;
                });

                var (_, peakBefore) = service.Memory();
                var allocatedBefore = await service.AllocatedBytesAsync();
                long rssPeak = 0;
                using var sampling = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        rssPeak = Math.Max(rssPeak, service.Memory().Rss);
                        await Task.Delay(100);
                    }
                });
                var ledger = await Driver.RunAsync(writers, sizes.W1Duration, (writer, n) => commands.AppendAsync(service.Client, Pick(writer, n)));
                await sampling.CancelAsync();
                await sampler;
                var allocated = await service.AllocatedBytesAsync() - allocatedBefore;
                sixteenAlone = writers == 16 ? ledger.PerSecond : sixteenAlone;

                rows.Add(new Row(
                    $"W1 append over HTTP, {writers} writer{(writers > 1 ? "s" : "")} ({ids.Length:N0} agreements)",
                    $"{Format.Rate(raw.PerSecond)} (p50 {Format.Ms(raw.Latency.Percentile(50))}, p99 {Format.Ms(raw.Latency.Percentile(99))})",
                    $"{Format.Rate(ledger.PerSecond)} (p50 {Format.Ms(ledger.Latency.Percentile(50))}, p99 {Format.Ms(ledger.Latency.Percentile(99))})",
                    Format.Ratio(ledger.PerSecond / raw.PerSecond),
                    // Issue 19: ≥ 0.6 of the floor at 16 writers, ≥ 0.5 at 1, and p99 at most twice the floor's.
                    $"≥ {Target(writers):0.0}, p99 ≤ 2×",
                    ledger.PerSecond / raw.PerSecond >= Target(writers) && ledger.Latency.Percentile(99) <= 2 * raw.Latency.Percentile(99),
                    string.Create(CultureInfo.InvariantCulture,
                        $"{ledger.Succeeded:N0} commands ({ledger.Failed} refused), baseline {raw.Succeeded:N0} ({raw.Failed} refused); service RSS peak {Format.Mb(rssPeak)} during the run ({Format.Mb(peakBefore)} before), {allocated / Math.Max(1, ledger.Succeeded) / 1024:F0} KB allocated per command")));
                if (writers == 16)
                {
                    // The process's own high-water mark (VmHWM): start-up and both runs included. Issue 19's target (issue 8's was 300 MB).
                    var peak = service.Memory().Peak;
                    rows.Add(new Row("Service peak RSS during W1 (whole process life)", "—", Format.Mb(peak), "—", "≤ 200 MB", peak <= 200L * 1024 * 1024));
                }
            }

            // The same 16 writers while 4 consumers follow GET /events at its head: the baseline is the
            // 16-writer run just above, so the ratio is what feed readers cost writers.
            using var following = new CancellationTokenSource();
            var consumers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => FeedFollower.FollowAsync(service.Client, following.Token))).ToArray();
            var watched = await Driver.RunAsync(16, sizes.W1Duration, (writer, n) => commands.AppendAsync(service.Client, commands.Pick(16, writer, n)));
            await following.CancelAsync();
            var served = (await Task.WhenAll(consumers)).Sum();
            rows.Add(new Row(
                "W1 append over HTTP, 16 writers while 4 consumers follow the feed at its head",
                $"{Format.Rate(sixteenAlone)} (the same service just before, no consumers)",
                $"{Format.Rate(watched.PerSecond)} (p50 {Format.Ms(watched.Latency.Percentile(50))}, p99 {Format.Ms(watched.Latency.Percentile(99))})",
                Format.Ratio(watched.PerSecond / sixteenAlone),
                "—",
                null,
                string.Create(CultureInfo.InvariantCulture, $"{watched.Succeeded:N0} commands ({watched.Failed} refused); the consumers were served {served:N0} events")));
            rows.AddRange(await W1LongHistory.RunAsync(service.Client, sizes.W1HistoryAppends));
        }

        var starts = new List<TimeSpan>();
        for (var i = 0; i < sizes.ColdStarts; i++)
        {
            await using var again = await ServiceUnderLoad.StartAsync(connectionString, $"/agreements/{ids[0]}", published);
            starts.Add(again.StartedIn);
        }

        var median = starts.Order().ElementAt(starts.Count / 2);
        rows.Add(new Row("Cold start to the first 200 (GET /agreements/{id}, database running, ReadyToRun build)", "—",
            $"{Format.Seconds(median)} (median of {starts.Count}; best {Format.Seconds(starts.Min())})", "—", "≤ 2 s", median <= TimeSpan.FromSeconds(2)));
        return rows;
    }

    private static double Target(int writers) => writers == 16 ? 0.6 : 0.5;

    private static async Task<(bool Ok, string Hash)> RawAppendAsync(NpgsqlDataSource data, string id, long version, string previous)
    {
        var recordedAt = EventEnvelope.FormatInstant(DateTimeOffset.UtcNow);
        var json = JsonSerializer.Serialize(new { publisher = "Load driver", url = "https://example.org/load", occurredOn = "2024-03-01" });
        using var parsed = JsonDocument.Parse(json);
        var hash = EventHash.Compute(previous, new HashedEvent("source_cited", id, version + 1, Day, recordedAt, "bench", parsed.RootElement));
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("update baseline.streams set version = version + 1 where id = $1 and version = $2")
                {
                    Parameters = { new() { Value = id }, new() { Value = version } },
                },
                new NpgsqlBatchCommand(
                    "insert into baseline.events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
                    "values (nextval('baseline.seq'), $1, $2, $3, $4::jsonb, 'source_cited', $5, '*DEFAULT*', 'SourceCited', $6::jsonb, 'bench')")
                {
                    Parameters =
                    {
                        new() { Value = Guid.CreateVersion7() }, new() { Value = id }, new() { Value = version + 1 }, new() { Value = json },
                        new() { Value = DateTimeOffset.Parse(recordedAt, CultureInfo.InvariantCulture) },
                        new() { Value = $"{{\"hash\":\"{hash}\",\"previousHash\":\"{previous}\"}}" },
                    },
                },
            },
        };
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            if (reader.RecordsAffected != 2)
            {
                await transaction.RollbackAsync();
                return (false, previous);
            }
        }

        await transaction.CommitAsync();
        return (true, hash);
    }
}
