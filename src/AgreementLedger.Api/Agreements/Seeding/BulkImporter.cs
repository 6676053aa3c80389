using AgreementLedger.Agreements;
using AgreementLedger.Infrastructure;
using AgreementLedger.Progress;
using AgreementLedger.Ledger;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace AgreementLedger.Agreements.Seeding;

/// <summary>One agreement's history to import: its events in recording order.</summary>
public sealed record AgreementHistory(string Id, IReadOnlyList<IAgreementEvent> Events);

/// <summary>
/// Imports many new agreements at once with PostgreSQL's binary COPY, for seeding and migration.
/// Every event goes through the same lifecycle rules and envelope (version, recordedAt,
/// recordedBy, hash chain) as a command, and each agreement's snapshot and version rows (the list's,
/// <see cref="Versions.AgreementVersionRows"/>) are written with it; all of it in one transaction. The transaction holds <c>ROW EXCLUSIVE</c> on the event table from before it
/// draws positions until it commits, so the feed's safe position (which waits for every holder of
/// that lock) never passes positions still being imported. Ids that already exist fail the whole import.
/// </summary>
public sealed partial class BulkImporter(IDocumentStore store, NpgsqlDataSource db, BulkAppend append, SnapshotWriter snapshots, LedgerSchema schema, TimeProvider clock, ILogger<BulkImporter> logger)
{
    /// <summary>
    /// Imports the histories; the number of events written. <paramref name="progress"/> shows two
    /// steps: the events checked and hashed, then the events written.
    /// </summary>
    public async Task<int> ImportAsync(IReadOnlyList<AgreementHistory> histories, string recordedBy, CancellationToken ct, ConsoleProgress? progress = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var serializer = store.Options.Serializer();
        var now = clock.GetUtcNow();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var history in histories)
        {
            if (!ids.Add(history.Id))
            {
                throw new InvalidOperationException($"Agreement {history.Id} appears twice in the import.");
            }
        }

        // Agreements are independent: checked and hashed in parallel, kept in the given order.
        var prepared = new Prepared[histories.Count];
        progress?.Begin("checking", histories.Sum(h => (long)h.Events.Count), "events");
        try
        {
            Parallel.For(0, histories.Count, new ParallelOptions { CancellationToken = ct }, i =>
            {
                prepared[i] = Prepare(histories[i], now, recordedBy, serializer);
                progress?.Add(histories[i].Events.Count);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first refused history, as a plain exception (a refusal is not a parallel failure).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        var streams = prepared.ToList();
        var total = streams.Sum(p => p.Events.Count);
        if (total == 0)
        {
            progress?.End();
            return 0;
        }

        progress?.Begin("writing", total, "events");

        var checkedIn = watch.Elapsed;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await append.WriteAsync(connection, transaction, streams.Select(p => new NewAgreementHistory(p.Id, p.Events)).ToList(), AgreementSnapshot.StreamTypeName, progress is null ? null : () => progress.Add(1), ct);
        await snapshots.CopyNewAsync(connection, streams.Select(p => (p.Id, p.Snapshot, (long)p.Events.Count)), AgreementSnapshot.DocumentType, ct);
        await Versions.AgreementVersionRows.CopyNewAsync(connection, schema, [.. streams.Select(p => p.Versions)], ct);

        await transaction.CommitAsync(ct);
        await Versions.AgreementVersionRows.AnalyzeAsync(db, schema, ct);
        progress?.End();
        LogImported(logger, streams.Count, total, checkedIn.TotalMilliseconds, (watch.Elapsed - checkedIn).TotalMilliseconds);
        return total;
    }

    /// <summary>One history checked against the lifecycle rules and stamped, as commands would.</summary>
    private static Prepared Prepare(AgreementHistory history, DateTimeOffset now, string recordedBy, ISerializer serializer)
    {
        // What a proposal's command checks before its first event: an id that is a slug, and a
        // history that starts with the proposal of that id.
        if (!AgreementIds.Pattern().IsMatch(history.Id))
        {
            throw new InvalidOperationException($"Agreement id '{history.Id}' {AgreementIds.Rule}.");
        }

        if (history.Events is not [AgreementProposed proposed, ..])
        {
            throw new InvalidOperationException($"Agreement {history.Id}: its history must start with {EventTypeNames.AgreementProposed}.");
        }

        if (proposed.Id != history.Id)
        {
            throw new InvalidOperationException($"Agreement {history.Id}: its proposal names another agreement ('{proposed.Id}').");
        }

        var agreement = new Agreement();
        var events = new List<(IEvent Event, string Json)>(history.Events.Count);
        var versions = new List<Agreement>(history.Events.Count);
        foreach (var @event in history.Events)
        {
            // The proposal starts the history; every later event is admitted exactly as its command admits it.
            var refusal = agreement.Version == 0 ? null : agreement.Admit(@event) switch
            {
                Decision.Refused refused => $"{refused.Member} {refused.Reason}",
                Decision.Conflicting conflict => conflict.Detail,
                _ => null,
            };
            if (refusal is not null)
            {
                throw new InvalidOperationException($"Agreement {history.Id}, event {agreement.Version + 1}: {refusal}");
            }

            (var e, agreement, var json) = agreement.AppendStored(history.Id, @event, now, recordedBy, serializer);
            events.Add((e, json));
            versions.Add(agreement);
        }

        return new Prepared(history.Id, events, versions, serializer.ToJson(agreement));
    }

    /// <summary>A checked history: its stamped events, the agreement after each of them (the last is its snapshot's state), the snapshot.</summary>
    private sealed record Prepared(string Id, IReadOnlyList<(IEvent Event, string Json)> Events, IReadOnlyList<Agreement> Versions, string Snapshot);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Imported {Agreements} agreements ({Events} events): checked and hashed in {CheckMs:F0} ms, written in {WriteMs:F0} ms")]
    private static partial void LogImported(ILogger logger, int agreements, int events, double checkMs, double writeMs);
}
