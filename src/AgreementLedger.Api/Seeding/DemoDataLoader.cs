using AgreementLedger.Agreements;
using Marten;

namespace AgreementLedger.Seeding;

/// <summary>
/// Loads the demo agreements into an empty ledger, through the same lifecycle rules and event
/// envelope as the HTTP commands, in one transaction: either all of it is there or none.
/// </summary>
public sealed partial class DemoDataLoader(IDocumentStore store, TimeProvider clock, ILogger<DemoDataLoader> logger) : IDisposable
{
    public const string RecordedBy = "seed";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>How many agreements this process loaded (on first start or by the seed command).</summary>
    public int LoadedInThisProcess { get; private set; }

    public void Dispose() => _gate.Dispose();

    /// <summary>Loads the demo data unless the ledger already holds agreements; the number of agreements loaded.</summary>
    public async Task<int> LoadIfEmptyAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var loaded = await LoadAsync(ct);
            LoadedInThisProcess += loaded;
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> LoadAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Events.QueryAllRawEvents().AnyAsync(ct))
        {
            LogSkipped(logger);
            return 0;
        }

        var serializer = store.Options.Serializer();
        foreach (var demo in DemoAgreements.All)
        {
            var agreement = new Agreement();
            var stamped = new List<object>();
            foreach (var @event in demo.Events)
            {
                if (agreement.Version > 0 && agreement.WouldBreak(@event) is { } broken)
                {
                    throw new InvalidOperationException($"Demo agreement {demo.Id} is not a valid history: {broken.Describe()}");
                }

                (var e, agreement) = agreement.Append(demo.Id, @event, clock.GetUtcNow(), RecordedBy, serializer);
                stamped.Add(e);
            }

            session.Events.StartStream<Agreement>(demo.Id, [.. stamped]);
        }

        await session.SaveChangesAsync(ct);
        LogLoaded(logger, DemoAgreements.All.Count);
        return DemoAgreements.All.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The ledger already holds events: demo data not loaded")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loaded {Count} demo agreements from the seed reports")]
    private static partial void LogLoaded(ILogger logger, int count);
}

/// <summary>On the first start of the embedded default, an empty ledger gets the demo data.</summary>
public sealed class DemoDataOnFirstStart(DemoDataLoader loader) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => loader.LoadIfEmptyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
