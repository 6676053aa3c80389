using JasperFx.CommandLine;

namespace AgreementLedger.Audit.Transparency;

public sealed class VerifyProofInput
{
    [Description("The inclusion proof (GET /audit/proofs/inclusion) as a JSON file")]
    [FlagAlias("proof")]
    public string? ProofFlag { get; set; }

    [Description("The checkpoint of the proof's tree size (GET /audit/checkpoint?treeSize=) as a JSON file")]
    [FlagAlias("checkpoint")]
    public string? CheckpointFlag { get; set; }

    [Description("A public key of the ledger in PEM (GET /audit/public-key), obtained apart from the proof; repeatable")]
    [FlagAlias("public-key")]
    public IEnumerable<string> PublicKeyFlag { get; set; } = [];

    [Description("A witness's public key in PEM (its GET /witness/public-key); repeatable")]
    [FlagAlias("witness-key")]
    public IEnumerable<string> WitnessKeyFlag { get; set; } = [];

    [Description("How many of the given witnesses must have cosigned the checkpoint (default 0)")]
    [FlagAlias("min-cosignatures")]
    public string? MinCosignaturesFlag { get; set; }

    [Description("The event's hash (lowercase hex, from its timeline entry, feed item or export record): the proof's leaf must be its leaf")]
    [FlagAlias("event-hash")]
    public string? EventHashFlag { get; set; }

    /// <summary>The arguments <see cref="VerifyProofCommandLine.RunAsync"/> reads.</summary>
    public string[] Arguments() =>
    [
        .. ProofFlag is { } proof ? new[] { "--proof", proof } : [],
        .. CheckpointFlag is { } checkpoint ? new[] { "--checkpoint", checkpoint } : [],
        .. PublicKeyFlag.SelectMany(key => new[] { "--public-key", key }),
        .. WitnessKeyFlag.SelectMany(key => new[] { "--witness-key", key }),
        .. MinCosignaturesFlag is { } min ? new[] { "--min-cosignatures", min } : [],
        .. EventHashFlag is { } hash ? new[] { "--event-hash", hash } : [],
    ];
}

[Description("Check one event's inclusion proof against a signed checkpoint offline, with only public keys", Name = "verify-proof")]
public sealed class VerifyProofCommand : JasperFxAsyncCommand<VerifyProofInput>
{
    /// <summary>Program.cs runs verify-proof before any host exists; this is what help shows and what runs if it gets here.</summary>
    public override async Task<bool> Execute(VerifyProofInput input) =>
        await VerifyProofCommandLine.RunAsync(input.Arguments(), Console.Out) == 0;
}
