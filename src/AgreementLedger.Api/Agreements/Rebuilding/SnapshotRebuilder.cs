using System.Data;
using AgreementLedger.Infrastructure;
using AgreementLedger.Progress;
using AgreementLedger.Ledger;
using Marten;
using Npgsql;

namespace AgreementLedger.Agreements.Rebuilding;

/// <summary>
/// Rebuilds every agreement snapshot (<c>mt_doc_agreement</c>, the inline projection) from the
/// events in one pass: one ordered read of the event table in a consistent snapshot, the same fold
/// Marten applies (<see cref="Agreement.Evolve"/>), and the snapshots written back by COPY. Safe
/// while the service keeps taking commands: a snapshot that a command wrote after the read began
/// carries a higher version and is never overwritten by an older rebuilt one. Time travel's version
/// checkpoints are dropped in the same transaction. The same pass sees every version of every agreement,
/// so it also writes the list's version rows (<see cref="Versions.AgreementVersionRows"/>), which fills
/// them for a ledger stored before they existed.
/// </summary>
public sealed partial class SnapshotRebuilder(
    NpgsqlDataSource db, LedgerSchema schema, IDocumentStore store, StoredEvents stored, StoredEventReader events, SnapshotWriter snapshots,
    Checkpoints.VersionCheckpoints checkpoints, ILogger<SnapshotRebuilder> logger)
{
    public sealed record Result(long Events, long Agreements, long Written, TimeSpan Took);

    /// <summary>Rebuilds every snapshot; <paramref name="progress"/> shows the events folded (counted first, in the same snapshot) and then the write.</summary>
    public async Task<Result> RebuildAsync(CancellationToken ct, ConsoleProgress? progress = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var serializer = store.Options.Serializer();
        await using var read = await db.OpenConnectionAsync(ct);
        await using var snapshot = await read.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var write = await db.OpenConnectionAsync(ct);
        await using var writing = await write.BeginTransactionAsync(ct);
        // The version rows are staged by a COPY of their own, so on a connection of their own.
        await using var writeVersions = await db.OpenConnectionAsync(ct);
        await using var writingVersions = await writeVersions.BeginTransactionAsync(ct);
        var all = new EventQuery { Order = EventOrder.ByAgreement };
        if (progress is not null)
        {
            progress.Begin("folding", await events.CountAsync(all, read, snapshot, ct), "events");
        }

        long folded = 0, agreements = 0;
        await using (var copy = await SnapshotWriter.BeginStagingAsync(write, writing, ct))
        await using (var versions = await Versions.AgreementVersionRows.BeginStagingAsync(writeVersions, writingVersions, schema, ct))
        {
            string? current = null;
            var agreement = new Agreement();
            // The state after the previous version of a stream that starts with its proposal, staged once the next version's recordedAt closes it.
            Agreement? open = null;
            var listed = false;
            await foreach (var row in events.ReadAsync(all, read, snapshot, ct))
            {
                var id = row.AgreementId;
                if (id != current)
                {
                    if (current is not null)
                    {
                        await WriteAsync(copy, current, agreement, serializer, ct);
                        agreements++;
                    }

                    if (open is not null)
                    {
                        await Versions.AgreementVersionRows.StageAsync(versions, open, null, ct);
                        open = null;
                    }

                    current = id;
                    agreement = new Agreement();
                }

                // Read as UTF-8 bytes (sequential access): the jsonb text, deserialised without a string.
                var data = serializer.FromJson(EventTypeNames.Catalogue.TypeOf(row.Type, id, row.Version), new MemoryStream(row.Data));
                // Only an agreement is listed: a stream whose first event is not its proposal never is.
                listed = agreement.Version == 0 ? data is AgreementProposed : listed;
                agreement = agreement.Fold(row.Version, data, row.Hash ?? agreement.LastHash, row.RecordedAt);
                if (open is not null)
                {
                    await Versions.AgreementVersionRows.StageAsync(versions, open, row.RecordedAt, ct);
                }

                open = listed ? agreement : null;
                folded++;
                progress?.Add(1);
            }

            if (current is not null)
            {
                await WriteAsync(copy, current, agreement, serializer, ct);
                agreements++;
            }

            if (open is not null)
            {
                await Versions.AgreementVersionRows.StageAsync(versions, open, null, ct);
            }

            await copy.CompleteAsync(ct);
            await versions.CompleteAsync(ct);
        }

        // One statement: the step shows only that it is running, then how many it wrote.
        progress?.Begin("writing", null, "snapshots");
        var written = await snapshots.UpsertStagedAsync(write, writing, AgreementSnapshot.DocumentType, ct);
        // Time travel's checkpoints are kept states of the same fold: dropped with the snapshots, kept again by the reads.
        await checkpoints.DropAllAsync(write, writing, ct);
        await writing.CommitAsync(ct);

        // After the snapshots are committed: a command waiting for its snapshot's row may hold its version rows' locks.
        await Versions.AgreementVersionRows.UpsertStagedAsync(writeVersions, writingVersions, schema, ct);
        await writingVersions.CommitAsync(ct);
        await snapshot.CommitAsync(ct);
        await Versions.AgreementVersionRows.MarkFilledAsync(db, schema, ct);
        progress?.Add(written);
        progress?.End();
        var result = new Result(folded, agreements, written, watch.Elapsed);
        LogDone(logger, folded, agreements, written, watch.Elapsed.TotalSeconds);
        return result;
    }

    /// <summary>
    /// Rebuilds one agreement's snapshot from its events, in its own transaction, unless a newer one
    /// is stored meanwhile. For a command that found the snapshot missing or behind the stream.
    /// </summary>
    public async Task RepairAsync(string id, long streamVersion, CancellationToken ct)
    {
        var agreement = Agreement.Replay(await stored.ReadAsync(id, asOf: null, upToVersion: null, ct));
        await snapshots.UpsertAsync(id, store.Options.Serializer().ToJson(agreement), agreement.Version, AgreementSnapshot.DocumentType, ct);
        LogRepaired(logger, id, agreement.Version, streamVersion);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The snapshot of agreement {AgreementId} was missing or behind its events (stream version {StreamVersion}); rebuilt it from its events at version {Version}")]
    private static partial void LogRepaired(ILogger logger, string agreementId, long version, long streamVersion);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string id, Agreement agreement, ISerializer serializer, CancellationToken ct) =>
        SnapshotWriter.StageAsync(copy, id, serializer.ToJson(agreement), agreement.Version, ct);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Rebuilt the snapshots of {Agreements} agreements from {Events} events in {Seconds:F1} s ({Written} written; the rest were newer already)")]
    private static partial void LogDone(ILogger logger, long events, long agreements, long written, double seconds);
}
