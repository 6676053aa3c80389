using System.Globalization;
using System.Text.Json;
using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.GettingDetails;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Marten;
using Npgsql;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// <c>GET /agreements/{id}?asOf=</c> on streams of 10, 1,000 and 10,000 events, as of the newest
/// event (the whole stream is read). Baseline: raw Npgsql reading the same rows and parsing each
/// event's JSON, which is the least any implementation must do without a snapshot.
/// </summary>
[Config(typeof(Settings))]
[MemoryDiagnoser]
public class TimeTravelBenchmarks
{
    private BenchmarkLedger _ledger = null!;
    private string _id = "";
    private DateTimeOffset _asOf;
    private string _url = "";

    [Params(10, 1_000, 10_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public async Task SetUp()
    {
        _ledger = await BenchmarkLedger.StartAsync();
        _id = $"bench-{Events}";
        _asOf = await _ledger.RecordAsync(_id, Events);
        _url = $"/agreements/{_id}?asOf={Uri.EscapeDataString(_asOf.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))}";
    }

    [GlobalCleanup]
    public async Task TearDown() => await _ledger.DisposeAsync();

    [Benchmark(Baseline = true, Description = "raw Npgsql: read and parse the events")]
    public async Task<int> RawNpgsql()
    {
        await using var connection = _ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select version, type, data, timestamp, user_name, headers from ledger.mt_events where stream_id = $1 and timestamp <= $2 order by version", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _id });
        command.Parameters.Add(new NpgsqlParameter { Value = _asOf });
        await using var reader = await command.ExecuteReaderAsync();
        var parsed = 0;
        while (await reader.ReadAsync())
        {
            using var data = JsonDocument.Parse(reader.GetString(2));
            using var headers = JsonDocument.Parse(reader.GetString(5));
            parsed += data.RootElement.GetPropertyCount() + headers.RootElement.GetPropertyCount();
        }

        return parsed;
    }

    [Benchmark(Description = "ledger: fetch and fold (no HTTP)")]
    public async Task<AgreementDetails> LedgerFold()
    {
        var at = new PointInTime(_asOf, null, null);
        var agreement = at.Fold(await at.KnownEventsAsync(_ledger.Events, _id, CancellationToken.None))!;
        return AgreementDetails.From(agreement, DateOnly.FromDateTime(_asOf.UtcDateTime));
    }

    [Benchmark(Description = "ledger: GET over HTTP")]
    public async Task<int> LedgerHttp()
    {
        var result = await _ledger.Host.Scenario(s =>
        {
            s.Get.Url(_url);
            s.WithRequestHeader("Authorization", BenchmarkLedger.AdminBearer);
        });
        return (await result.ReadAsTextAsync()).Length;
    }

    private sealed class Settings : ManualConfig
    {
        public Settings()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(2)
                .WithIterationCount(6)
                .WithInvocationCount(8)
                .WithUnrollFactor(1));
        }
    }
}
