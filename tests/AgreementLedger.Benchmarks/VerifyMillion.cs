using System.Diagnostics;
using System.Globalization;
using System.Text;
using AgreementLedger.Agreements;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// <c>-- verify-million [events]</c>: loads a ledger of that many valid events (1,000 agreements)
/// straight into PostgreSQL and builds its Merkle tree (timed on its own), then times <c>GET /audit/verify</c>'s
/// verifier over all of it — the chains, the kept digests and the tree recomputed and compared with the stored
/// nodes — and records the process's peak memory, beside a baseline in the same run: raw Npgsql reading the
/// same rows and computing one SHA-256 per event. One run per process, so peak memory is its own. The suite's
/// T1 does the same beside the checkpoint and proof routes.
/// </summary>
public static class VerifyMillion
{
    private const int Agreements = 1000;

    /// <summary>
    /// The host's settings: the tree switched off, so that nothing extends it in the background and
    /// <see cref="BuildTreeAsync"/> times the whole build (the routes and the verifier read the tree all the same).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> TreeBuiltOnDemand = new Dictionary<string, string>
    {
        ["Ledger:Audit:TreeEnabled"] = "false",
        ["Ledger:Integration:Enabled"] = "false",
    };

    public static async Task RunAsync(int events)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(TreeBuiltOnDemand);
        var load = Stopwatch.StartNew();
        await LoadAsync(ledger, events);
        Console.WriteLine($"loaded {events:N0} events in {load.Elapsed.TotalSeconds:F1} s");
        var build = await BuildTreeAsync(ledger);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"built the Merkle tree of {build.Leaves:N0} events in {build.Elapsed.TotalSeconds:F1} s = {build.Leaves / build.Elapsed.TotalSeconds:N0} events/s"));

        var (baseline, baselinePeak, idle) = await MeasureAsync(() => RawReadAndHashAsync(ledger));
        var verifier = ledger.Host.Services.GetRequiredService<LedgerVerifier>();
        VerificationReport report = null!;
        var (verify, verifyPeak, _) = await MeasureAsync(async () => report = await verifier.VerifyAsync(null, CancellationToken.None));

        Console.WriteLine();
        Console.WriteLine("| events | raw Npgsql read + SHA-256 | ledger verify (chains, digests, tree) | verify ÷ raw | verified | peak managed heap: raw / verify (idle before) |");
        Console.WriteLine("|---:|---:|---:|---:|---|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {report.EventsChecked:N0} | {baseline.TotalSeconds:F1} s | {verify.TotalSeconds:F1} s | {verify / baseline:F1}× | {report.Verified} | {baselinePeak / 1048576.0:F0} MiB / {verifyPeak / 1048576.0:F0} MiB ({idle / 1048576.0:F0} MiB) |"));
    }

    /// <summary>
    /// Extends the stored tree over every loaded event (<see cref="MerkleExtender.CatchUpAsync"/>, the steps the
    /// keeper takes) and times it; the ledger's host must have the tree switched off (<see cref="TreeBuiltOnDemand"/>).
    /// </summary>
    internal static async Task<(long Leaves, TimeSpan Elapsed)> BuildTreeAsync(BenchmarkLedger ledger)
    {
        var watch = Stopwatch.StartNew();
        var head = await ledger.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        return (head.Size, watch.Elapsed);
    }

    /// <summary>Wall time, and the managed heap's peak while the work ran (sampled every 20 ms), after a full collection.</summary>
    internal static async Task<(TimeSpan Elapsed, long PeakHeap, long IdleHeap)> MeasureAsync(Func<Task> work)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var idle = GC.GetTotalMemory(forceFullCollection: true);
        var peak = idle;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var watch = Stopwatch.StartNew();
        await work();
        watch.Stop();
        await done.CancelAsync();
        await sampler;
        return (watch.Elapsed, peak, idle);
    }

    internal static async Task RawReadAndHashAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select stream_id, version, type, data, timestamp, user_name, headers from ledger.mt_events order by stream_id, version", connection);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        var sink = 0;
        while (await reader.ReadAsync())
        {
            var text = reader.GetString(0) + reader.GetInt64(1) + reader.GetString(2) + reader.GetString(3) + reader.GetFieldValue<DateTimeOffset>(4) + reader.GetString(5) + reader.GetString(6);
            // The ledger's own SHA-256 (OpenSSL called directly), so that the floor hashes as fast as the verify can.
            sink ^= Sha256.Hash(Encoding.UTF8.GetBytes(text))[0];
        }

        GC.KeepAlive(sink);
    }

    /// <summary>The id of the <paramref name="index"/>-th of <paramref name="agreements"/> loaded agreements, in the order of its position.</summary>
    internal static string AgreementId(int index, int agreements = Agreements) =>
        "million-" + index.ToString(CultureInfo.InvariantCulture).PadLeft(IdDigits(agreements), '0');

    private static int IdDigits(int agreements) => Math.Max(4, (agreements - 1).ToString(CultureInfo.InvariantCulture).Length);

    /// <summary>
    /// Valid chains, written with COPY: the proposal, then source citations, per agreement (<paramref name="agreements"/>
    /// of them, 1,000 unless told); <paramref name="progress"/> hears of every millionth event.
    /// </summary>
    internal static async Task LoadAsync(BenchmarkLedger ledger, int events, int agreements = Agreements, Action<long>? progress = null)
    {
        var serializer = ledger.Store.Options.Serializer();
        var perAgreement = Math.Max(1, events / agreements);
        var start = new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var day = new DateOnly(2024, 1, 1);
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using (var streams = new NpgsqlCommand(
            "insert into ledger.mt_streams (id, type, version, timestamp, created, tenant_id) " +
            "select 'million-' || lpad(n::text, @digits, '0'), 'agreement', @version, now(), now(), '*DEFAULT*' from generate_series(0, @last) n", connection))
        {
            streams.Parameters.AddWithValue("digits", IdDigits(agreements));
            streams.Parameters.AddWithValue("version", (long)perAgreement);
            streams.Parameters.AddWithValue("last", agreements - 1);
            await streams.ExecuteNonQueryAsync();
        }

        long seq = 0;
        await using (var copy = await connection.BeginTextImportAsync(
            "copy ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) from stdin"))
        {
            for (var a = 0; a < agreements; a++)
            {
                var id = AgreementId(a, agreements);
                var previous = EventHash.Genesis;
                for (var version = 1; version <= perAgreement; version++)
                {
                    IAgreementEvent @event = version == 1
                        ? new AgreementProposed(id, "Verification load", "treaty", ["JP", "GB"], ["defence-industry"], null, day, [])
                        : new SourceCited("Reuters", $"https://example.org/{id}/{version}", day, null, day);
                    var recordedAt = EventEnvelope.FormatInstant(start.AddMilliseconds(version));
                    var type = EventTypeNames.Catalogue.NameOf(@event);
                    var data = serializer.ToJson(@event);
                    using var parsed = System.Text.Json.JsonDocument.Parse(data);
                    var hash = EventHash.Compute(previous, new HashedEvent(type, id, version, day, recordedAt, "load", parsed.RootElement));
                    var headers = $"{{\"hash\": \"{hash}\", \"previousHash\": \"{previous}\"}}";
                    await copy.WriteLineAsync(string.Join('\t',
                        ++seq, Guid.NewGuid(), id, version, Escape(data), type, recordedAt, "*DEFAULT*", @event.GetType().FullName, Escape(headers), "load"));
                    previous = hash;
                    if (seq % 1_000_000 == 0)
                    {
                        progress?.Invoke(seq);
                    }
                }
            }
        }

        await using var sequence = new NpgsqlCommand("select setval('ledger.mt_events_sequence', (select max(seq_id) from ledger.mt_events))", connection);
        await sequence.ExecuteNonQueryAsync();
    }

    /// <summary>COPY text format: backslash, tab and line breaks escaped.</summary>
    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
