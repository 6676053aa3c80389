namespace AgreementLedger.Agreements.Seeding;

/// <summary>On the first start of the embedded default, an empty ledger gets the demo data.</summary>
public sealed class DemoDataOnFirstStart(DemoDataLoader loader) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => loader.LoadIfEmptyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
