using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using Npgsql;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W3: <c>GET /agreements/{id}?asOf=</c> (in-memory HTTP) on agreements of 10, 1,000 and 10,000
/// events, as of the newest event so the whole stream folds; p50 and p99. Baseline: raw Npgsql
/// selecting the same rows and parsing each event's data and headers.
/// </summary>
public static class W3TimeTravel
{
    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w3", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var rows = new List<Row>();
        foreach (var count in sizes.W3Events)
        {
            var id = $"travel-{count}";
            var asOf = await ledger.RecordAsync(id, count);
            var asOfText = Uri.EscapeDataString(asOf.ToString("O", CultureInfo.InvariantCulture));
            var requests = count >= 10_000 ? Math.Max(10, sizes.W3Requests / 4) : sizes.W3Requests;

            var raw = new Samples();
            var http = new Samples();
            for (var i = 0; i < requests + 3; i++)
            {
                var one = Stopwatch.StartNew();
                await RawAsync(ledger, id, asOf);
                if (i >= 3)
                {
                    raw.Add(one.Elapsed);
                }

                one.Restart();
                await ledger.Host.Scenario(s =>
                {
                    s.Get.Url($"/agreements/{id}?asOf={asOfText}");
                    s.WithRequestHeader("Authorization", BenchmarkLedger.AdminBearer);
                    s.StatusCodeShouldBeOk();
                });
                if (i >= 3)
                {
                    http.Add(one.Elapsed);
                }
            }

            var p50 = http.Percentile(50);
            rows.Add(new Row($"W3 time travel ?asOf, {count:N0} events",
                $"p50 {Format.Ms(raw.Percentile(50))}, p99 {Format.Ms(raw.Percentile(99))}",
                $"p50 {Format.Ms(p50)}, p99 {Format.Ms(http.Percentile(99))}",
                Format.Ratio(raw.Percentile(50) / p50),
                count == 10_000 ? "p50 ≤ 50 ms" : "—",
                count == 10_000 ? p50 <= 50 : null,
                $"{requests} requests; ratio = baseline p50 ÷ ledger p50"));
        }

        return rows;
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
