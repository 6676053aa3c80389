using AgreementLedger.Agreements;
using AgreementLedger.Progress;
using Marten;

namespace AgreementLedger.Agreements.Seeding;

/// <summary>
/// Loads the demo agreements into an empty ledger through <see cref="BulkImporter"/>: the same
/// lifecycle rules and event envelope as the HTTP commands, in one transaction.
/// </summary>
public sealed partial class DemoDataLoader(IDocumentStore store, BulkImporter importer, ILogger<DemoDataLoader> logger) : IDisposable
{
    public const string RecordedBy = "seed";

    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>Loads the demo data unless the ledger already holds agreements; the number of agreements loaded. <paramref name="progress"/> shows the import's.</summary>
    public async Task<int> LoadIfEmptyAsync(CancellationToken ct, ConsoleProgress? progress = null)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await LoadAsync(progress, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> LoadAsync(ConsoleProgress? progress, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.Events.QueryAllRawEvents().AnyAsync(ct))
        {
            LogSkipped(logger);
            return 0;
        }

        await importer.ImportAsync([.. DemoAgreements.All.Select(d => new AgreementHistory(d.Id, d.Events))], RecordedBy, ct, progress);
        LogLoaded(logger, DemoAgreements.All.Count);
        return DemoAgreements.All.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The ledger already holds events: demo data not loaded")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loaded {Count} demo agreements from the seed reports")]
    private static partial void LogLoaded(ILogger logger, int count);
}
