using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure;
using AgreementLedger.Progress;
using AgreementLedger.Ledger;
using JasperFx.CommandLine;
using Npgsql;

namespace AgreementLedger.Audit.Exporting;

public sealed class ExportInput : ProgressInput
{
    [Description("ndjson (default) or csv; docs/audit.md describes both")]
    public string FormatFlag { get; set; } = "ndjson";

    [Description("Export only what was recorded by this instant (ISO 8601 with an offset, or a date for the end of that UTC day)")]
    [FlagAlias("as-of")]
    public string? AsOfFlag { get; set; }

    [Description("Write to this file instead of standard output")]
    public string? OutFlag { get; set; }
}

[Description("Write every event up to the safe position, then the digests kept up to it, then a signed digest and the checkpoint over the events, as GET /audit/export does", Name = "export")]
public sealed class ExportCommand : JasperFxAsyncCommand<ExportInput>
{
    public override async Task<bool> Execute(ExportInput input)
    {
        if (input.FormatFlag is not ("ndjson" or "csv"))
        {
            await Console.Error.WriteLineAsync("--format must be ndjson or csv");
            return false;
        }

        DateTimeOffset? asOf = null;
        if (input.AsOfFlag is { } text)
        {
            // The same reading as GET /audit/export?asOf=, so the command and the route export alike.
            asOf = Instants.Parse(text);
            if (asOf is null)
            {
                await Console.Error.WriteLineAsync("--as-of must be an ISO 8601 instant with an offset (2025-06-30T00:00:00Z) or a date (2025-06-30, meaning the end of that UTC day)");
                return false;
            }
        }

        using var progress = input.StartProgress("export");
        if (progress is null)
        {
            return false;
        }

        // Built, not started: the export extends the tree up to the safe position, reads the events and keeps its
        // digest; nothing else runs.
        using var host = input.BuildHost();
        var services = host.Services;
        var db = services.GetRequiredService<NpgsqlDataSource>();
        var schema = services.GetRequiredService<LedgerSchema>();
        var digests = services.GetRequiredService<LedgerDigests>();
        if (await services.GetRequiredService<Transparency.HistoryWatch>().DivergedAsync(CancellationToken.None) is { } diverged)
        {
            // As GET /audit/export answers 503 history-diverged: nothing is signed over a history that diverged.
            await Console.Error.WriteLineAsync(Transparency.HistoryDivergence.ProblemOf(diverged).Detail);
            return false;
        }

        var position = await ExportLedgerEndpoint.ExportPositionAsync(asOf, db, schema, services.GetRequiredService<MerkleExtender>(), CancellationToken.None);
        await using var output = input.OutFlag is { } path ? File.Create(path) : Console.OpenStandardOutput();
        var signed = await ExportLedgerEndpoint.WriteAsync(output, input.FormatFlag == "csv", position, db, schema, digests, services.GetRequiredService<ExportCheckpoints>(), CancellationToken.None, progress);
        await Console.Error.WriteLineAsync(
            $"Exported the ledger up to position {signed.Position}; digest {signed.Digest} signed with key {signed.KeyId}. Check it with: verify-export FILE --public-key KEY.pem (one --public-key for each key that signed a digest or checkpoint in it) [--witness-key WITNESS.pem]... [--min-cosignatures N]");
        return true;
    }
}
