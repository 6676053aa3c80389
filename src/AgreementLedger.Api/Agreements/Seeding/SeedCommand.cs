using AgreementLedger.Progress;
using JasperFx.CommandLine;

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

        using var host = input.BuildHost();
        await host.StartAsync();
        try
        {
            var loader = host.Services.GetRequiredService<DemoDataLoader>();
            await loader.LoadIfEmptyAsync(CancellationToken.None, progress);
            var loaded = loader.LoadedInThisProcess;
            Console.WriteLine(loaded > 0
                ? $"Loaded {loaded} demo agreements."
                : "The ledger already holds events; nothing was loaded.");
            return true;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
