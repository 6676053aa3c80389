using System.Diagnostics;
using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using AgreementLedger.Agreements.Seeding;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W2: one command's round trip, sequential — the endpoint through the in-memory HTTP pipeline
/// (auth, idempotency and strict-JSON middleware, validation, fetch with the row lock, decide,
/// append, inline snapshot, answer) against Marten used directly for the same fetch-decide-append
/// with the same envelope and snapshot, without HTTP.
/// </summary>
public static class W2RoundTrip
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w2", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var ids = Enumerable.Range(0, 100).Select(i => $"trip-{i:D3}").ToArray();
        await ledger.Host.Services.GetRequiredService<BulkImporter>().ImportAsync([.. ids.Select(id => new AgreementHistory(id,
            [new AgreementProposed(id, "Round trip " + id, "partnership", ["JP", "GB"], ["defence-industry"], null, Day, [])]))], "bench", CancellationToken.None);
        var store = ledger.Store;
        var body = new { publisher = "Round trip", url = "https://example.org/trip", occurredOn = "2024-03-01" };

        async Task<TimeSpan> MartenAsync(int count)
        {
            var watch = Stopwatch.StartNew();
            for (var n = 0; n < count; n++)
            {
                var id = ids[n % ids.Length];
                await using var session = store.LightweightSession();
                var stream = await session.Events.FetchForExclusiveWriting<Agreement>(id);
                var agreement = stream.Aggregate!;
                var @event = new SourceCited("Round trip", "https://example.org/trip", null, null, Day);
                if (agreement.WouldBreak(@event) is not null)
                {
                    throw new InvalidOperationException("unexpected refusal");
                }

                var (stamped, _) = agreement.Append(id, @event, DateTimeOffset.UtcNow, "bench", store.Options.Serializer());
                stream.AppendOne(stamped);
                await session.SaveChangesAsync();
            }

            return watch.Elapsed;
        }

        async Task<TimeSpan> HttpAsync(int count)
        {
            var watch = Stopwatch.StartNew();
            for (var n = 0; n < count; n++)
            {
                var id = ids[n % ids.Length];
                await ledger.Host.Scenario(s =>
                {
                    s.Post.Json(body).ToUrl($"/agreements/{id}/sources");
                    s.WithRequestHeader("Authorization", BenchmarkLedger.AdminBearer);
                    s.StatusCodeShouldBeOk();
                });
            }

            return watch.Elapsed;
        }

        await MartenAsync(50);
        await HttpAsync(50);
        var marten = new List<double>();
        var http = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            marten.Add((await MartenAsync(sizes.W2Operations / 5)).TotalMilliseconds / (sizes.W2Operations / 5));
            http.Add((await HttpAsync(sizes.W2Operations / 5)).TotalMilliseconds / (sizes.W2Operations / 5));
        }

        var martenMs = marten.Order().ElementAt(2);
        var httpMs = http.Order().ElementAt(2);
        return
        [
            new Row("W2 command round trip (sequential, in-process)",
                $"{Format.Ms(martenMs)} per command (Marten directly)", $"{Format.Ms(httpMs)} per command (HTTP endpoint)",
                Format.Ratio(martenMs / httpMs), "≥ 0.8", martenMs / httpMs >= 0.8,
                $"median of 5 rounds of {sizes.W2Operations / 5} commands each, alternating; ratio = baseline time ÷ ledger time"),
        ];
    }
}
