using AgreementLedger.Progress;
using JasperFx.CommandLine;

namespace AgreementLedger.Audit.Exporting;

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
