using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Verifying;

public sealed record VerificationFailure(string AgreementId, long Version, string Reason);

public sealed record VerificationReport(bool Verified, long StreamsChecked, long EventsChecked, IReadOnlyList<VerificationFailure> Failures);

/// <summary>
/// Recomputes every agreement's hash chain from what is stored (docs/hashing.md) and, for the whole ledger, the kept
/// digests and the Merkle tree, in one streaming pass over the event table in position order: each event is read once
/// and given to the three checks (<see cref="ChainCheck"/>, <see cref="KeptDigestCheck"/>, the tree's), so memory
/// stays bounded by one event and one state an agreement, whatever the ledger's size.
/// </summary>
public sealed partial class LedgerVerifier(
    StoredEventReader stored, StreamVersions versions, Digests.LedgerDigests digests, Digests.AuditSigningKey key, Transparency.TransparencyCheck transparency, ILogger<LedgerVerifier> logger)
{
    /// <summary>Failures reported; further ones are not listed (the answer stays small).</summary>
    public const int MaxReportedFailures = 1000;

    /// <summary>
    /// Verifies and logs the outcome: a failure as an error naming the first broken event, for the
    /// alerting that watches the logs; a success with its size and duration.
    /// </summary>
    public async Task<VerificationReport> VerifyAsync(string? agreementId, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = await RecomputeAsync(agreementId, ct);
        var scope = agreementId is null ? "the whole ledger" : $"agreement {agreementId}";
        if (report.Verified)
        {
            // One agreement is checked on every view of its web page: worth a line only when debugging.
            LogVerified(logger, agreementId is null ? LogLevel.Information : LogLevel.Debug, scope, report.EventsChecked, report.StreamsChecked, watch.Elapsed.TotalMilliseconds);
        }
        else
        {
            var first = report.Failures[0];
            LogNotVerified(logger, scope, report.Failures.Count, report.Failures.Count >= MaxReportedFailures ? " or more" : "",
                first.AgreementId, first.Version, first.Reason, report.EventsChecked, report.StreamsChecked);
        }

        return report;
    }

    [LoggerMessage(Message = "Audit verification of {Scope}: verified, {Events} events of {Agreements} agreements recomputed in {ElapsedMs:F0} ms")]
    private static partial void LogVerified(ILogger logger, LogLevel level, string scope, long events, long agreements, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message =
        "Audit verification of {Scope}: NOT VERIFIED, {FailureCount}{More} failure(s); first: {AgreementId} version {Version}: {Reason} ({Events} events of {Agreements} agreements recomputed)")]
    private static partial void LogNotVerified(ILogger logger, string scope, int failureCount, string more, string agreementId, long version, string reason, long events, long agreements);

    private async Task<VerificationReport> RecomputeAsync(string? agreementId, CancellationToken ct)
    {
        var failures = new List<VerificationFailure>();
        var digestFailures = new List<VerificationFailure>();
        var chains = new ChainCheck((id, version, reason) => Fail(failures, id, version, reason));
        var query = new EventQuery { AgreementId = agreementId, Order = EventOrder.ByPosition };
        if (agreementId is not null)
        {
            // The recorded versions and the events they count, as of one instant: an append between two reads would
            // otherwise look like an inserted or a removed event.
            await using var one = await versions.SnapshotAsync(ct);
            var recordedOne = await versions.ReadAsync(agreementId, one, ct);
            await foreach (var row in stored.ReadAsync(query, one.Connection, one.Transaction, ct))
            {
                chains.Observe(row, null);
            }

            chains.Finish(recordedOne);
            return new VerificationReport(failures.Count == 0, chains.Streams, chains.Events, failures);
        }

        // Begun before the snapshot is taken: every kept digest and stored leaf lies at or below a safe position, so
        // the events they cover are all in it. The recorded versions are read in the same snapshot as the events.
        var (kept, tree) = await transparency.BeginAsync(ct);
        await using (tree)
        {
            await using var keptDigests = await KeptDigestCheck.BeginAsync(digests, key, (id, version, reason) => Fail(digestFailures, id, version, reason), ct);
            await using var snapshot = await versions.SnapshotAsync(ct);
            var recorded = await versions.ReadAsync(null, snapshot, ct);
            await foreach (var batch in PrehashedEvents.ReadAsync(stored.ReadAsync(query, snapshot.Connection, snapshot.Transaction, ct), ct))
            {
                await keptDigests.ObserveAsync(batch, ct);
                foreach (var (row, recomputed, _) in batch.Events)
                {
                    chains.Observe(row, recomputed);
                }

                await tree.AppendAsync(batch.Positions, batch.Leaves, batch.Subtree);
            }

            await keptDigests.FinishAsync();
            chains.Finish(recorded);
        }

        // The chains' failures first, then the digests', then what the tree and its checkpoints add that the chains
        // and digests did not already name at that position.
        foreach (var failure in digestFailures)
        {
            Fail(failures, failure.AgreementId, failure.Version, failure.Reason);
        }

        foreach (var failure in await transparency.FinishAsync(kept, tree, MaxReportedFailures, ct))
        {
            if (!failures.Any(f => f.AgreementId == failure.AgreementId && f.Version == failure.Version))
            {
                Fail(failures, failure.AgreementId, failure.Version, failure.Reason);
            }
        }

        return new VerificationReport(failures.Count == 0, chains.Streams, chains.Events, failures);
    }

    /// <summary>Ledger-wide failures (not of one agreement) carry this id and the digest's position as version.</summary>
    public const string Ledger = "(ledger)";

    private static void Fail(List<VerificationFailure> failures, string id, long version, string reason)
    {
        if (failures.Count < MaxReportedFailures)
        {
            failures.Add(new VerificationFailure(id, version, reason));
        }
    }
}
