using JasperFx.CommandLine;

namespace AgreementLedger.Witness;

public sealed class WitnessInput
{
    [Description("The directory of the witness's key and state (created 0700 if missing; back it up)")]
    [FlagAlias("state-dir")]
    public string? StateDirFlag { get; set; }

    [Description("A log key to trust: the base64 DER SubjectPublicKeyInfo of GET /audit/public-key; repeatable. Without it the first key whose signature verifies is pinned")]
    [FlagAlias("log-key")]
    public IEnumerable<string> LogKeyFlag { get; set; } = [];
}

[Description("Run a witness of the transparency log, with its own key and state and no database, listening on ASPNETCORE_URLS", Name = "witness")]
public sealed class WitnessHelpCommand : JasperFxAsyncCommand<WitnessInput>
{
    /// <summary>Program.cs runs the witness before any ledger host exists; this is what help shows and what runs if it gets here.</summary>
    public override async Task<bool> Execute(WitnessInput input) =>
        await WitnessCommand.RunAsync(
            [.. input.StateDirFlag is { } directory ? new[] { "--state-dir", directory } : [], .. input.LogKeyFlag.SelectMany(key => new[] { "--log-key", key })],
            Console.Out, Console.Error) == 0;
}
