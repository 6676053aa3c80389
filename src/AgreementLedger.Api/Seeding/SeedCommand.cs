using JasperFx.CommandLine;

namespace AgreementLedger.Seeding;

[Description("Load the demo agreements of the seed reports into an empty ledger", Name = "seed")]
public sealed class SeedCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        await host.StartAsync();
        try
        {
            var loader = host.Services.GetRequiredService<DemoDataLoader>();
            await loader.LoadIfEmptyAsync(CancellationToken.None);
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
