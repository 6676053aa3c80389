using System.Text.Json;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Verifying;

public sealed record VerificationFailure(string AgreementId, long Version, string Reason);

public sealed record VerificationReport(bool Verified, long StreamsChecked, long EventsChecked, IReadOnlyList<VerificationFailure> Failures);

/// <summary>
/// Recomputes every agreement's hash chain from what is stored (docs/hashing.md), in one streaming
/// pass over the event table: memory stays bounded by one event, whatever the ledger's size. For the
/// whole ledger the kept digests and the Merkle tree are checked in passes of their own, alongside.
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
        long streams = 0, events = 0;
        var recorded = await versions.ReadAsync(agreementId, ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // The whole ledger's other two passes — the kept digests over the hashes in position order, and the tree
        // recomputed and compared with the stored nodes — each read on their own connection while the chains are
        // recomputed here: the three take as long as the longest, not as their sum. Their failures follow the chains'.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var digestFailures = new List<VerificationFailure>();
        var keptDigests = agreementId is null ? CheckKeptDigestsAsync(digestFailures, stop.Token) : Task.CompletedTask;
        var tree = agreementId is null ? transparency.CheckAsync(MaxReportedFailures, stop.Token) : Task.FromResult<IReadOnlyList<VerificationFailure>>([]);
        try
        {
            await RecomputeChainsAsync();
        }
        catch
        {
            await stop.CancelAsync();
            // The other passes end with the chains' pass; what stopped them would only repeat what stopped it.
            await Task.WhenAll(keptDigests, tree).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        if (agreementId is null)
        {
            await keptDigests;
            foreach (var failure in digestFailures)
            {
                Fail(failures, failure.AgreementId, failure.Version, failure.Reason);
            }

            // The tree and its checkpoints add what the chains and digests did not already name at that position.
            foreach (var failure in await tree)
            {
                if (!failures.Any(f => f.AgreementId == failure.AgreementId && f.Version == failure.Version))
                {
                    Fail(failures, failure.AgreementId, failure.Version, failure.Reason);
                }
            }
        }

        return new VerificationReport(failures.Count == 0, streams, events, failures);

        async Task RecomputeChainsAsync()
        {
            string? stream = null;
            long lastVersion = 0;
            var lastHash = EventHash.Genesis;
            await foreach (var row in stored.ReadAsync(new EventQuery { AgreementId = agreementId, Order = EventOrder.ByAgreement }, ct))
            {
                var (id, version, type) = (row.AgreementId, row.Version, row.Type);
                var (storedHash, storedPrevious) = (row.Hash, row.PreviousHash);

                if (id != stream)
                {
                    if (stream is not null)
                    {
                        CheckTail(stream, lastVersion, recorded, seen, failures);
                    }

                    stream = id;
                    streams++;
                    lastVersion = 0;
                    lastHash = EventHash.Genesis;
                }

                events++;
                if (version != lastVersion + 1)
                {
                    Fail(failures, id, lastVersion + 1, version > lastVersion + 1
                        ? $"versions {lastVersion + 1} to {version - 1} are missing: events were removed"
                        : $"version {version} appears again: an event was inserted or reordered");
                }

                if (storedPrevious != lastHash)
                {
                    Fail(failures, id, version, "previousHash does not match the hash of the event before it: events were removed, inserted or reordered");
                }

                using var data = JsonDocument.Parse(row.Data);
                var recomputed = EventHash.Compute(storedPrevious ?? lastHash, new HashedEvent(
                    type, id, version, row.OccurredOn, EventEnvelope.FormatInstant(row.RecordedAt), row.RecordedBy, data.RootElement));
                if (storedHash != recomputed)
                {
                    Fail(failures, id, version, "the stored hash does not match the event's stored fields: the event was altered");
                }

                lastVersion = version;
                lastHash = storedHash ?? recomputed;
            }

            if (stream is not null)
            {
                CheckTail(stream, lastVersion, recorded, seen, failures);
            }

            foreach (var (id, version) in recorded.Where(r => r.Value > 0 && (agreementId is null || r.Key == agreementId)))
            {
                if (!seen.Contains(id))
                {
                    Fail(failures, id, 1, $"the agreement records {version} events but none are stored: its events were removed");
                }
            }
        }
    }

    /// <summary>Ledger-wide failures (not of one agreement) carry this id and the digest's position as version.</summary>
    public const string Ledger = "(ledger)";

    /// <summary>
    /// Every kept signed digest must still match the stored events, and carry a valid signature by a
    /// key the service knows: this is what catches the newest events cut away, or a whole chain
    /// rewritten consistently (whoever rewrites it can recompute the digests above it too, but cannot
    /// sign them). Kept digests and event hashes are both streamed, side by side, in position order.
    /// </summary>
    private async Task CheckKeptDigestsAsync(List<VerificationFailure> failures, CancellationToken ct)
    {
        // Both streams end at the newest kept position read first; a digest kept later is checked next time.
        var upTo = await digests.NewestKeptPositionAsync(ct);
        await using var hashes = digests.HashesAsync(upTo, ct).GetAsyncEnumerator(ct);
        var next = await hashes.MoveNextAsync() ? hashes.Current : ((long Position, string Hash)?)null;
        var digest = EventHash.Genesis;
        await foreach (var kept in digests.KeptAsync(upTo, ct))
        {
            while (next is { } e && e.Position <= kept.Position)
            {
                digest = Digests.LedgerDigests.Step(digest, e.Hash);
                next = await hashes.MoveNextAsync() ? hashes.Current : null;
            }

            Compare(kept, digest, failures);
        }
    }

    private void Compare(Digests.SignedDigest signed, string recomputed, List<VerificationFailure> failures)
    {
        switch (Digests.AuditSigningKey.Check(key.VerifyingKeys, signed))
        {
            case Digests.SignatureCheck.UnknownKey:
                Fail(failures, Ledger, signed.Position,
                    $"the kept digest at position {signed.Position} names key {signed.KeyId}, which the service does not know: the digest record was forged, " +
                    "or the key that signed it is missing from Ledger:Audit:PreviousPublicKeys");
                break;
            case Digests.SignatureCheck.Invalid:
                Fail(failures, Ledger, signed.Position, $"the kept digest at position {signed.Position} carries an invalid signature: the digest record was forged");
                break;
        }

        if (signed.Digest != recomputed)
        {
            Fail(failures, Ledger, signed.Position,
                $"the signed digest at position {signed.Position} no longer matches the stored events: events at or before that position were altered, removed, reordered or inserted");
        }
    }

    private static void CheckTail(string stream, long lastVersion, Dictionary<string, long> recorded, HashSet<string> seen, List<VerificationFailure> failures)
    {
        seen.Add(stream);
        if (!recorded.TryGetValue(stream, out var expected))
        {
            Fail(failures, stream, 1, "events are stored for an agreement the ledger does not record: they were inserted");
        }
        else if (expected > lastVersion)
        {
            Fail(failures, stream, lastVersion + 1, $"the agreement records {expected} events but only {lastVersion} are stored: the newest events were removed");
        }
        else if (expected < lastVersion)
        {
            Fail(failures, stream, expected + 1, $"the agreement records {expected} events but {lastVersion} are stored: events were inserted");
        }
    }

    private static void Fail(List<VerificationFailure> failures, string id, long version, string reason)
    {
        if (failures.Count < MaxReportedFailures)
        {
            failures.Add(new VerificationFailure(id, version, reason));
        }
    }
}
