using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.Ledger;
using Npgsql;

namespace AgreementLedger.Agreements.Versions;

/// <summary>
/// At start-up, after the storage has applied its schema: a ledger whose version rows do not yet cover
/// every stored version (stored before the rows existed) gets them from the one-pass rebuild, which writes
/// them with the snapshots and then marks them filled; a ledger with no events is marked filled at once,
/// since every append writes its own row. Until the rows are filled the list and the portfolio fold the
/// events (<see cref="KnownAgreements"/>), so the answers never depend on it having run.
/// </summary>
public sealed partial class VersionRowsBackfill(NpgsqlDataSource db, LedgerSchema schema, SnapshotRebuilder rebuilder, ILogger<VersionRowsBackfill> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => FillIfNeededAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Fills the rows unless they are filled (or there is nothing to fill); whether it rebuilt.</summary>
    public async Task<bool> FillIfNeededAsync(CancellationToken ct)
    {
        if (await AgreementVersionRows.MarkFilledIfNoEventsAsync(db, schema, ct))
        {
            return false;
        }

        LogFilling(logger);
        await rebuilder.RebuildAsync(ct);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "The list's version rows do not cover the stored events yet (a ledger stored before they existed): filling them with a rebuild of the snapshots")]
    private static partial void LogFilling(ILogger logger);
}
