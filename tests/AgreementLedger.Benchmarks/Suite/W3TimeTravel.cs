using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.LocalPostgres;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W3: <c>GET /agreements/{id}?asOf=</c> (in-memory HTTP) on agreements of 10, 1,000, 10,000 and 100,000
/// events, as of the newest event; p50 and p99. Two baselines in the same run: raw Npgsql selecting the
/// same rows and parsing each event's data and headers (what a fold of every event costs at least), and the
/// naive fold (today's path before version checkpoints: every known event read and folded, the answer
/// serialised; in-process, so without HTTP). The note gives the same agreement's current state (no
/// <c>asOf</c>, its inline snapshot) for scale: the answer itself grows with the history. The sizes with targets
/// (10,000 and 100,000) are measured again on an agreement of negotiation rounds, whose answer keeps one size.
/// </summary>
public static class W3TimeTravel
{
    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w3", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var rows = new List<Row>();
        foreach (var count in sizes.W3Events)
        {
            await MeasureAsync(ledger, rows, $"travel-{count}", count, "", null, sizes.W3Requests);
        }

        // The same at the sizes with targets, on an agreement whose state and answer keep one size: the proposal, then
        // negotiation rounds (which the answer does not list). There a checkpoint is small and a read folds at most
        // the events after it; on the citations above, the state and the answer hold every citation.
        foreach (var count in sizes.W3Events.Where(c => c >= 10_000))
        {
            await MeasureAsync(ledger, rows, $"rounds-{count}", count, " (negotiation rounds)",
                (_, day) => new NegotiationRoundHeld(day, "Geneva", ["JP", "GB"], null), sizes.W3Requests);
        }

        return rows;
    }

    private static async Task MeasureAsync(BenchmarkLedger ledger, List<Row> rows, string id, int count, string history,
        Func<int, DateOnly, IAgreementEvent>? later, int w3Requests)
    {
        var asOf = await ledger.ImportAsync(id, count, later);
        var asOfText = Uri.EscapeDataString(asOf.ToString("O", CultureInfo.InvariantCulture));
        var requests = count >= 10_000 ? Math.Max(10, w3Requests / 4) : w3Requests;

        var raw = new Samples();
        var naive = new Samples();
        var http = new Samples();
        var now = new Samples();
        for (var i = 0; i < requests + 3; i++)
        {
            var one = Stopwatch.StartNew();
            await RawAsync(ledger, id, asOf);
            raw.AddAfterWarmUp(i, one.Elapsed);

            one.Restart();
            await NaiveFoldAsync(ledger, id, asOf);
            naive.AddAfterWarmUp(i, one.Elapsed);

            one.Restart();
            await ledger.GetOkAsync($"/agreements/{id}?asOf={asOfText}");
            http.AddAfterWarmUp(i, one.Elapsed);

            one.Restart();
            await ledger.GetOkAsync($"/agreements/{id}");
            now.AddAfterWarmUp(i, one.Elapsed);
        }

        var p50 = http.Percentile(50);
        var target = count switch { 10_000 => 5, 100_000 => 10, _ => (double?)null };
        var nowNote = $"current state (snapshot, no asOf) p50 {Format.Ms(now.Percentile(50))}";
        rows.Add(new Row($"W3 time travel ?asOf, {count:N0} events{history}",
            $"p50 {Format.Ms(raw.Percentile(50))}, p99 {Format.Ms(raw.Percentile(99))}",
            $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))}",
            Format.Ratio(raw.Percentile(50) / p50),
            target is { } ms ? $"p50 ≤ {ms:F0} ms" : "—",
            target is { } limit ? p50 <= limit : null,
            $"{requests} requests; ratio = baseline p50 ÷ ledger p50; {nowNote}"));
        rows.Add(new Row($"W3 time travel ?asOf against the naive fold, {count:N0} events{history}",
            $"p50 {Format.Ms(naive.Percentile(50))}, p99 {Format.Ms(naive.Percentile(99))}",
            $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))}",
            Format.Ratio(naive.Percentile(50) / p50),
            target is null ? "—" : "≥ 10× faster",
            target is null ? null : naive.Percentile(50) / p50 >= 10,
            "baseline: every known event read and folded in-process (no HTTP), the answer serialised"));
    }

    /// <summary>The answer as every <c>asOf</c> was computed before checkpoints: read every known event, fold, serialise.</summary>
    private static async Task<int> NaiveFoldAsync(BenchmarkLedger ledger, string id, DateTimeOffset asOf)
    {
        var at = new PointInTime(asOf, null, null);
        var agreement = at.Fold(await at.KnownEventsAsync(ledger.Events, id, CancellationToken.None))!;
        return JsonSerializer.SerializeToUtf8Bytes(AgreementDetails.From(agreement, DateOnly.FromDateTime(asOf.UtcDateTime)), JsonSerializerOptions.Web).Length;
    }

    private static async Task<int> RawAsync(BenchmarkLedger ledger, string id, DateTimeOffset asOf)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select version, type, data, timestamp, user_name, headers from ledger.mt_events where stream_id = $1 and timestamp <= $2 order by version", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = asOf });
        await using var reader = await command.ExecuteReaderAsync();
        var n = 0;
        while (await reader.ReadAsync())
        {
            using var data = JsonDocument.Parse(reader.GetString(2));
            using var headers = JsonDocument.Parse(reader.GetString(5));
            n++;
        }

        return n;
    }
}
