using System.Diagnostics;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W5: rebuild the projections (the agreement snapshots) from every event with the service's
/// <c>rebuild-snapshots</c> (and, for comparison, Marten's daemon rebuild as <c>-- projections
/// rebuild</c> does it). Baseline: a hand-written one-pass fold —
/// read every event in stream order with raw Npgsql, deserialise, fold with the same
/// <see cref="Agreement"/> code, and COPY the snapshots back.
/// </summary>
public static class W5Rebuild
{
    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w5", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        await VerifyMillion.LoadAsync(ledger, sizes.W5Events);
        await FeedCatchUp.VacuumAsync(ledger);

        // The first pass warms the caches for everyone; the baseline is the better of two.
        var first = Stopwatch.StartNew();
        await HandFoldAsync(ledger);
        first.Stop();
        var baseline = Stopwatch.StartNew();
        var folded = await HandFoldAsync(ledger);
        baseline.Stop();
        if (first.Elapsed < baseline.Elapsed)
        {
            baseline = first;
        }

        await ExecuteAsync(ledger, "truncate ledger.mt_doc_agreement");
        var marten = Stopwatch.StartNew();
        using (var daemon = await ledger.Store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync<Agreement>(TimeSpan.FromMinutes(60), CancellationToken.None);
        }

        marten.Stop();

        await ExecuteAsync(ledger, "truncate ledger.mt_doc_agreement");
        var rebuild = Stopwatch.StartNew();
        var rebuilder = ledger.Host.Services.GetRequiredService<AgreementLedger.Agreements.Rebuilding.SnapshotRebuilder>();
        await rebuilder.RebuildAsync(CancellationToken.None);
        rebuild.Stop();
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_doc_agreement", connection);
        var rebuilt = (long)(await count.ExecuteScalarAsync())!;
        if (rebuilt != folded)
        {
            throw new InvalidOperationException($"the rebuild wrote {rebuilt} snapshots, the hand fold {folded}");
        }

        return
        [
            new Row($"W5 rebuild of the projections, {sizes.W5Events:N0} events ({folded:N0} agreements)",
                Format.Seconds(baseline.Elapsed) + " (hand-written one-pass fold)", Format.Seconds(rebuild.Elapsed) + " (`rebuild-snapshots`)",
                Format.Ratio(baseline.Elapsed / rebuild.Elapsed), "≥ 0.5", baseline.Elapsed / rebuild.Elapsed >= 0.5,
                $"ratio = baseline time ÷ ledger time; Marten's own daemon rebuild (`RebuildProjectionAsync`, what Marten's `projections rebuild` ran before the guard) of the same snapshots took {Format.Seconds(marten.Elapsed)} ({baseline.Elapsed / marten.Elapsed:F2})"),
        ];
    }

    internal static async Task<long> HandFoldAsync(BenchmarkLedger ledger)
    {
        var serializer = ledger.Store.Options.Serializer();
        var types = EventTypeNames.ByType.ToDictionary(p => p.Value, p => p.Key);
        await using var read = ledger.Connect();
        await read.OpenAsync();
        await using var write = ledger.Connect();
        await write.OpenAsync();
        await using (var temp = new NpgsqlCommand("create temp table folded (id varchar, data jsonb, mt_dotnet_type varchar, mt_version bigint)", write))
        {
            await temp.ExecuteNonQueryAsync();
        }

        await using var copy = await write.BeginBinaryImportAsync("copy folded (id, data, mt_dotnet_type, mt_version) from stdin (format binary)");
        await using var command = new NpgsqlCommand(
            "select stream_id, version, type, data, timestamp, headers ->> 'hash' from ledger.mt_events order by stream_id, version", read);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        string? current = null;
        var agreement = new Agreement();
        long written = 0;
        async Task FlushAsync()
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(current!, NpgsqlDbType.Varchar);
            await copy.WriteAsync(serializer.ToJson(agreement), NpgsqlDbType.Jsonb);
            await copy.WriteAsync(typeof(Agreement).FullName!, NpgsqlDbType.Varchar);
            await copy.WriteAsync(agreement.Version, NpgsqlDbType.Bigint);
            written++;
        }

        while (await reader.ReadAsync())
        {
            var id = reader.GetString(0);
            if (id != current)
            {
                if (current is not null)
                {
                    await FlushAsync();
                }

                current = id;
                agreement = new Agreement();
            }

            var version = reader.GetInt64(1);
            var type = types[reader.GetString(2)];
            var data = serializer.FromJson(type, new MemoryStream(reader.GetFieldValue<byte[]>(3)));
            var recordedAt = reader.GetFieldValue<DateTimeOffset>(4);
            agreement = agreement.Fold(version, data, reader.GetString(5), recordedAt);
        }

        if (current is not null)
        {
            await FlushAsync();
        }

        await copy.CompleteAsync();
        return written;
    }

    private static async Task ExecuteAsync(BenchmarkLedger ledger, string sql)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
