using System.Diagnostics;
using AgreementLedger.Ledger;
using Marten;
using Npgsql;

namespace AgreementLedger.Agreements;

/// <summary>
/// Once the node serves (and <see cref="StartDelay"/> later), keeps the states of the agreements written last (up to <see cref="AgreementStates.Capacity"/>,
/// newest first) as their snapshots hold them, so that after a start the first command on each decides without
/// reading it and commits in one round trip, as every later one does. Only snapshots at their stream's version are
/// kept; a state a commit kept meanwhile is newer and stays. Like any kept state it is a guess the commit checks
/// (<see cref="AgreementWrite"/>), so a ledger moved on by another node while this one started costs a read, never a
/// wrong answer. <c>Ledger:Commands:WarmUp</c> <c>false</c> turns it off; a failure is logged and changes nothing
/// but the speed of first commands.
/// </summary>
public sealed partial class AgreementStatesWarmUp(
    AgreementStates states, NpgsqlDataSource db, LedgerSchema schema, IDocumentStore store,
    IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<AgreementStatesWarmUp> logger) : BackgroundService
{
    public const string Setting = "Ledger:Commands:WarmUp";

    /// <summary>
    /// How long after the node starts serving it waits before it reads: the first requests need the CPU more (read at
    /// once, 10,000 states slowed the first answer of a start on two cores by 0.2–0.3 s, docs/benchmarks.md).
    /// </summary>
    public static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue(Setting, true) || states.Capacity == 0)
        {
            return;
        }

        // After every hosted service has started (the schema is applied), and without delaying the first requests.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
                await Task.Delay(StartDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var watch = Stopwatch.StartNew();
        try
        {
            var (read, kept) = await WarmAsync(states, stoppingToken);
            LogWarmed(logger, kept, read, watch.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, e, watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    /// <summary>
    /// Keeps in <paramref name="target"/> the states of the <see cref="AgreementStates.Capacity"/> agreements whose
    /// snapshots were written last, where none is kept yet; how many snapshots were read and how many kept.
    /// </summary>
    public async Task<(int Read, int Kept)> WarmAsync(AgreementStates target, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        await using var command = db.CreateCommand(
            $"select d.id, d.data from {schema.Events}.{MartenTables.Snapshots} d " +
            $"join {schema.Events}.{MartenTables.Streams} s on s.id = d.id and s.version = d.mt_version " +
            "order by d.mt_last_modified desc, d.id limit $1");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = target.Capacity });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var (read, kept) = (0, 0);
        while (await reader.ReadAsync(ct))
        {
            read++;
            var agreement = StoredAgreement.FromSnapshot(serializer, reader.GetString(1));
            if (target.KeepIfAbsent(reader.GetString(0), agreement with { Facts = null }))
            {
                kept++;
            }
        }

        return (read, kept);
    }

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Kept the states of {Kept} agreements written last ({Read} snapshots read in {Milliseconds} ms): commands on them decide without reading them first")]
    private static partial void LogWarmed(ILogger logger, int kept, int read, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Could not keep the states of the agreements written last (after {Milliseconds} ms); commands read each agreement on first use instead")]
    private static partial void LogFailed(ILogger logger, Exception exception, long milliseconds);
}
