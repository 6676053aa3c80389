using AgreementLedger.Progress;
using JasperFx.CommandLine;
using Marten;

namespace AgreementLedger.Agreements.Seeding;

[Description("Load the demo agreements of the seed reports into an empty ledger", Name = "seed")]
public sealed class SeedCommand : JasperFxAsyncCommand<ProgressInput>
{
    public override async Task<bool> Execute(ProgressInput input)
    {
        using var progress = input.StartProgress("seed");
        if (progress is null)
        {
            return false;
        }

        // The host is built, not started: a seed run beside a running node must not bind that node's port or run its
        // background workers. The schema is what starting would have applied, so an empty database can be seeded.
        using var host = input.BuildHost();
        await host.Services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var loader = host.Services.GetRequiredService<DemoDataLoader>();
        var loaded = await loader.LoadIfEmptyAsync(CancellationToken.None, progress);
        Console.WriteLine(loaded > 0
            ? $"Loaded {loaded} demo agreements."
            : "The ledger already holds events; nothing was loaded.");
        return true;
    }
}
