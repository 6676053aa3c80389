using AgreementLedger.Progress;
using JasperFx.CommandLine;

namespace AgreementLedger.Agreements.Rebuilding;

[Description("Rebuild every agreement snapshot from the events in one pass; safe while other nodes serve traffic (also what 'projections rebuild' runs)", Name = Name)]
public sealed class RebuildSnapshotsCommand : JasperFxAsyncCommand<ProgressInput>
{
    public const string Name = "rebuild-snapshots";

    public override async Task<bool> Execute(ProgressInput input)
    {
        using var progress = input.StartProgress(Name);
        if (progress is null)
        {
            return false;
        }

        using var host = input.BuildHost();
        var rebuilder = host.Services.GetRequiredService<SnapshotRebuilder>();
        var result = await rebuilder.RebuildAsync(CancellationToken.None, progress);
        Console.WriteLine($"Rebuilt {result.Agreements} agreement snapshots from {result.Events} events in {result.Took.TotalSeconds:F1} s ({result.Written} written).");
        return true;
    }
}
