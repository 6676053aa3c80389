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
        var position = await ExportLedgerEndpoint.ExportPositionAsync(asOf, db, schema, services.GetRequiredService<MerkleExtender>(), CancellationToken.None);
        await using var output = input.OutFlag is { } path ? File.Create(path) : Console.OpenStandardOutput();
        var signed = await ExportLedgerEndpoint.WriteAsync(output, input.FormatFlag == "csv", position, db, schema, digests, services.GetRequiredService<ExportCheckpoints>(), CancellationToken.None, progress);
        await Console.Error.WriteLineAsync(
            $"Exported the ledger up to position {signed.Position}; digest {signed.Digest} signed with key {signed.KeyId}. Check it with: verify-export FILE --public-key KEY.pem (one --public-key for each key that signed a digest or checkpoint in it) [--witness-key WITNESS.pem]... [--min-cosignatures N]");
        return true;
    }
}

public sealed class VerifyExportInput
{
    [Description("The export file (.ndjson or .csv)")]
    public string File { get; set; } = "";

    [Description("A public key of the ledger in PEM (GET /audit/public-key), obtained apart from the export; repeat the flag for every key that signed a digest in it")]
    [FlagAlias("public-key")]
    public IEnumerable<string> PublicKeyFlag { get; set; } = [];

    [Description("A witness's public key in PEM (its GET /witness/public-key, from its operator); repeat the flag for each witness whose cosignature counts")]
    [FlagAlias("witness-key")]
    public IEnumerable<string> WitnessKeyFlag { get; set; } = [];

    [Description("Fail unless at least this many of the given witnesses cosigned the export's checkpoint or the consistency record's (default 0)")]
    [FlagAlias("min-cosignatures")]
    public string? MinCosignaturesFlag { get; set; }

    [Description(ProgressOptions.ModeDescription)]
    [FlagAlias("progress", true)]
    public string? ProgressFlag { get; set; }

    [Description(ProgressOptions.IntervalDescription)]
    [FlagAlias("progress-interval", true)]
    public string? ProgressIntervalFlag { get; set; }

    /// <summary>The arguments <see cref="VerifyExportCommandLine.RunAsync"/> reads.</summary>
    public string[] Arguments() =>
    [
        File,
        .. PublicKeyFlag.SelectMany(key => new[] { "--public-key", key }),
        .. WitnessKeyFlag.SelectMany(key => new[] { "--witness-key", key }),
        .. MinCosignaturesFlag is { } min ? new[] { "--min-cosignatures", min } : [],
        .. ProgressFlag is { } mode ? new[] { ProgressOptions.ModeFlag, mode } : [],
        .. ProgressIntervalFlag is { } interval ? new[] { ProgressOptions.IntervalFlag, interval } : [],
    ];
}

[Description("Check an export offline, with no database: every hash chain, every kept digest and the closing digest, the Merkle root of its checkpoint, the consistency proof, and every signature and cosignature", Name = "verify-export")]
public sealed class VerifyExportCommand : JasperFxAsyncCommand<VerifyExportInput>
{
    /// <summary>Program.cs runs verify-export before any host exists; this is what help shows and what runs if it gets here.</summary>
    public override async Task<bool> Execute(VerifyExportInput input) =>
        await VerifyExportCommandLine.RunAsync(input.Arguments(), Console.Out) == 0;
}
