using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// <c>-- feed-catchup [events]</c>: a consumer reads the whole ledger from position 0 through
/// <c>GET /events?limit=1000</c>, following <c>next</c>; baseline in the same run: raw Npgsql paging
/// through the same rows by position, 1,000 at a time, parsing each event's data.
/// </summary>
public static class FeedCatchUp
{
    public static async Task RunAsync(int events)
    {
        await using var ledger = await BenchmarkLedger.StartAsync();
        await VerifyMillion.LoadAsync(ledger, events);
        await VacuumAsync(ledger);

        var raw = Stopwatch.StartNew();
        var rawCount = await RawAsync(ledger);
        raw.Stop();

        var direct = Stopwatch.StartNew();
        var directCount = await DirectAsync(ledger);
        direct.Stop();

        var feed = Stopwatch.StartNew();
        var feedCount = await FeedAsync(ledger);
        feed.Stop();

        Console.WriteLine();
        Console.WriteLine("| events | raw Npgsql paging | feed read in-process (no HTTP) | GET /events following next | GET ÷ raw |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {feedCount:N0} | {raw.Elapsed.TotalSeconds:F1} s = {rawCount / raw.Elapsed.TotalSeconds:N0}/s | {direct.Elapsed.TotalSeconds:F1} s = {directCount / direct.Elapsed.TotalSeconds:N0}/s | {feed.Elapsed.TotalSeconds:F1} s = {feedCount / feed.Elapsed.TotalSeconds:N0}/s | {feed.Elapsed / raw.Elapsed:F1}× |"));
    }

    internal static async Task<long> RawAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        long after = 0, count = 0;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "select seq_id, stream_id, version, type, data, timestamp, user_name, headers ->> 'hash' from ledger.mt_events where seq_id > $1 order by seq_id limit 1000", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = after });
            await using var reader = await command.ExecuteReaderAsync();
            var page = 0;
            while (await reader.ReadAsync())
            {
                after = reader.GetInt64(0);
                using var data = JsonDocument.Parse(reader.GetString(4));
                page++;
            }

            count += page;
            if (page == 0)
            {
                return count;
            }
        }
    }

    /// <summary>A freshly loaded table is vacuumed and analysed first, as autovacuum would soon do.</summary>
    internal static async Task VacuumAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var vacuum = new NpgsqlCommand("vacuum analyze ledger.mt_events", connection);
        vacuum.CommandTimeout = 600;
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<long> DirectAsync(BenchmarkLedger ledger)
    {
        var feed = ledger.Host.Services.GetRequiredService<AgreementLedger.Subscriptions.EventFeed>();
        long next = 0, count = 0;
        while (true)
        {
            var page = await feed.ReadAsync(next, 1000, null, CancellationToken.None);
            count += page.Events.Count;
            if (page.Next == next)
            {
                return count;
            }

            next = page.Next;
        }
    }

    internal static async Task<long> FeedAsync(BenchmarkLedger ledger)
    {
        long next = 0, count = 0;
        while (true)
        {
            var result = await ledger.Host.Scenario(s =>
            {
                s.Get.Url($"/events?after={next}&limit=1000");
                s.WithRequestHeader("Authorization", BenchmarkLedger.AdminBearer);
            });
            // As a consumer reads it: straight from the response bytes.
            using var page = await JsonDocument.ParseAsync(result.Context.Response.Body);
            var moved = page.RootElement.GetProperty("next").GetInt64();
            count += page.RootElement.GetProperty("events").GetArrayLength();
            if (moved == next)
            {
                return count;
            }

            next = moved;
        }
    }
}
