using System.Diagnostics;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using AgreementLedger.Agreements.Seeding;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W6: bulk import of seed-like data (1,000 agreements: a proposal, a negotiation round, signatures,
/// then source citations) through <see cref="BulkImporter"/> — lifecycle checks, envelope and hash
/// chain, streams, events and snapshots in one transaction. Baseline: NpgsqlBinaryImporter writing
/// the same event rows, prepared beforehand, into the same table.
/// </summary>
public static class W6BulkImport
{
    private static readonly DateOnly Day = new(2024, 1, 10);

    public static async Task<List<Row>> RunAsync(LocalPostgresCluster cluster, SuiteSizes sizes)
    {
        await using var ledger = await BenchmarkLedger.StartAsync(cluster, "w6", new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
        var perAgreement = sizes.W6Events / 1000;
        var histories = Enumerable.Range(0, 1000).Select(a =>
        {
            var id = $"import-{a:D4}";
            var events = new List<IAgreementEvent>
            {
                new AgreementProposed(id, "Imported " + id, "partnership", ["JP", "GB"], ["defence-industry"], "Seed-like history", Day, []),
                new NegotiationRoundHeld(Day.AddDays(1), "Tokyo", ["JP", "GB"], null),
                new PartySigned("JP", Day.AddDays(2), null, null),
                new PartySigned("GB", Day.AddDays(3), null, null),
            };
            while (events.Count < perAgreement)
            {
                events.Add(new SourceCited("Reuters", $"https://example.org/{id}/{events.Count}", Day, null, Day.AddDays(4)));
            }

            return new AgreementHistory(id, events);
        }).ToList();

        // The baseline's rows: exactly what the importer writes, prepared outside the timing.
        var importer = ledger.Host.Services.GetRequiredService<BulkImporter>();
        var written = await importer.ImportAsync(histories, "bench", CancellationToken.None);
        var rows = await ReadRowsAsync(ledger);
        await TruncateAsync(ledger);

        var baseline = Stopwatch.StartNew();
        await using (var connection = ledger.Connect())
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var streams = await connection.BeginBinaryImportAsync("copy ledger.mt_streams (id, type, version) from stdin (format binary)"))
            {
                foreach (var history in histories)
                {
                    await streams.StartRowAsync();
                    await streams.WriteAsync(history.Id, NpgsqlDbType.Varchar);
                    await streams.WriteAsync("agreement", NpgsqlDbType.Varchar);
                    await streams.WriteAsync((long)history.Events.Count, NpgsqlDbType.Bigint);
                }

                await streams.CompleteAsync();
            }

            await using (var copy = await connection.BeginBinaryImportAsync(
                "copy ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) from stdin (format binary)"))
            {
                foreach (var row in rows)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(row.Seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(row.Stream, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(row.Version, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(row.Data, NpgsqlDbType.Jsonb);
                    await copy.WriteAsync(row.Type, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(row.Timestamp, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
                    await copy.WriteAsync(row.DotnetType, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(row.Headers, NpgsqlDbType.Jsonb);
                    await copy.WriteAsync(row.UserName, NpgsqlDbType.Varchar);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
        }

        baseline.Stop();
        await TruncateAsync(ledger);

        var import = Stopwatch.StartNew();
        await importer.ImportAsync(histories, "bench", CancellationToken.None);
        import.Stop();

        var baselineRate = written / baseline.Elapsed.TotalSeconds;
        var importRate = written / import.Elapsed.TotalSeconds;
        return
        [
            new Row($"W6 bulk import, {written:N0} events (1,000 agreements)", Format.Rate(baselineRate) + " (binary COPY of prepared rows)",
                Format.Rate(importRate) + " (BulkImporter)", Format.Ratio(importRate / baselineRate), "≥ 0.5", importRate / baselineRate >= 0.5,
                "the importer also checks the lifecycle, computes the hash chain and writes the snapshots"),
        ];
    }

    private sealed record EventRow(long Seq, Guid Id, string Stream, long Version, string Data, string Type, DateTimeOffset Timestamp, string DotnetType, string Headers, string UserName);

    private static async Task<List<EventRow>> ReadRowsAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, headers, user_name from ledger.mt_events order by seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<EventRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new EventRow(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7), reader.GetString(8), reader.GetString(9)));
        }

        return rows;
    }

    private static async Task TruncateAsync(BenchmarkLedger ledger)
    {
        await using var connection = ledger.Connect();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("truncate ledger.mt_events, ledger.mt_streams, ledger.mt_doc_agreement, ledger.agreement_versions, ledger.agreement_facets cascade; checkpoint", connection);
        await command.ExecuteNonQueryAsync();
    }
}
