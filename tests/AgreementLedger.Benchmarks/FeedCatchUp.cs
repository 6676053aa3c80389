using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// <c>-- feed-catchup [events] [rounds]</c>: a consumer reads the whole ledger from position 0 through
/// <c>GET /events?limit=1000</c>, following <c>next</c>; baseline in the same run: raw Npgsql paging
/// through the same rows by position, 1,000 at a time, parsing each event's data.
/// </summary>
public static class FeedCatchUp
{
    public static async Task RunAsync(int events, int rounds)
    {
        await using var ledger = await BenchmarkLedger.StartAsync();
        await VerifyMillion.LoadAsync(ledger, events);
        await VacuumAsync(ledger);

        var (count, readers) = await AlternateAsync(ledger, rounds, warmUp: false);
        Console.WriteLine();
        Console.WriteLine($"{count:N0} events, {rounds} rounds; per reader the median rate (lowest–highest):");
        Console.WriteLine();
        Console.WriteLine("| reader | median | range | ÷ raw (medians) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, rates) in readers)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(rates):N0}/s | {rates.Min():N0}–{rates.Max():N0}/s | {Median(rates) / Median(readers[0].Rates):F2} |"));
        }
    }

    /// <summary>The middle of <paramref name="rates"/> (the upper one of an even count).</summary>
    internal static double Median(IReadOnlyList<double> rates) => rates.Order().ElementAt(rates.Count / 2);

    /// <summary>
    /// The three readers (raw paging, the feed in-process, GET /events) in turn, round after round, so that the machine's
    /// noise falls on each alike: the events each read and its rates, one per round; with <paramref name="warmUp"/>, after
    /// a first round of each that is not counted (the JIT, the caches).
    /// </summary>
    internal static async Task<(long Count, (string Name, List<double> Rates)[] Readers)> AlternateAsync(
        BenchmarkLedger ledger, int rounds, bool warmUp)
    {
        var readers = new (string Name, Func<Task<long>> Read, List<double> Rates)[]
        {
            ("raw Npgsql paging", () => RawAsync(ledger), []),
            ("feed read in-process (no HTTP)", () => DirectAsync(ledger), []),
            ("GET /events following next", () => FeedAsync(ledger), []),
        };
        long count = 0;
        for (var round = warmUp ? -1 : 0; round < rounds; round++)
        {
            foreach (var (name, read, rates) in readers)
            {
                var watch = Stopwatch.StartNew();
                var served = await read();
                var rate = served / watch.Elapsed.TotalSeconds;
                if (count != 0 && served != count)
                {
                    throw new InvalidOperationException($"{name} read {served} events, another reader {count}");
                }

                count = served;
                if (round >= 0)
                {
                    rates.Add(rate);
                }
            }
        }

        return (count, readers.Select(r => (r.Name, r.Rates)).ToArray());
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
