using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Ledger.Merkle.Stored;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The transparency log's part of <c>GET /audit/verify</c>: the tree recomputed from the events and compared with
/// the stored nodes (<see cref="MerkleTreeCheck"/>, fed by the verifier's one pass over the events), and every kept
/// checkpoint checked against the recomputed root at its size and for a valid signature by a key the service knows.
/// Failures are ledger-wide: they carry <see cref="LedgerVerifier.Ledger"/> and the position of the last event concerned.
/// </summary>
public sealed class TransparencyCheck(MerkleTreeCheck tree, CheckpointLog log, HistoryDivergence divergence)
{
    /// <summary>The kept checkpoints, and the tree's check that recomputes their roots: feed it every event, then <see cref="FinishAsync"/>.</summary>
    public async Task<(IReadOnlyList<Checkpoint> Kept, MerkleTreePass Tree)> BeginAsync(CancellationToken ct)
    {
        var kept = new List<Checkpoint>();
        await foreach (var checkpoint in log.KeptAsync(ct))
        {
            kept.Add(checkpoint);
        }

        return (kept, await tree.BeginAsync(kept.Select(c => c.TreeSize).ToHashSet(), ct));
    }

    public async Task<IReadOnlyList<VerificationFailure>> FinishAsync(IReadOnlyList<Checkpoint> kept, MerkleTreePass pass, int max, CancellationToken ct)
    {
        var result = pass.Finish();
        var failures = result.Mismatches.Select(m => new VerificationFailure(LedgerVerifier.Ledger, m.Position, m.Reason)).ToList();
        var diverged = false;
        foreach (var checkpoint in kept)
        {
            var size = checkpoint.TreeSize;
            var name = $"the kept checkpoint of tree size {size}";
            switch (log.Check(checkpoint))
            {
                case SignatureCheck.UnknownKey:
                    failures.Add(new VerificationFailure(LedgerVerifier.Ledger, checkpoint.Position,
                        $"{name} names key {checkpoint.KeyId}, which the service does not know: the checkpoint record was forged, or the key that signed it is missing from Ledger:Audit:PreviousPublicKeys"));
                    break;
                case SignatureCheck.Invalid:
                    failures.Add(new VerificationFailure(LedgerVerifier.Ledger, checkpoint.Position, $"{name} carries an invalid signature: the checkpoint record was forged"));
                    break;
            }

            if (!result.Roots.TryGetValue(size, out var root))
            {
                failures.Add(new VerificationFailure(LedgerVerifier.Ledger, checkpoint.Position,
                    $"{name} is beyond the {result.Leaves} events under the stored tree: events or tree nodes were removed"));
            }
            else if (CheckpointLog.Hex(root) != checkpoint.RootHash && !diverged)
            {
                // The first kept checkpoint the events no longer give is named; every later one differs because of it.
                diverged = true;
                failures.Add(new VerificationFailure(LedgerVerifier.Ledger, checkpoint.Position,
                    $"{name} no longer matches the stored events: events at or before position {checkpoint.Position} were altered, removed, reordered or inserted"));
            }
        }

        if (await divergence.CurrentAsync(ct) is { } recorded)
        {
            // Recorded when it was noticed: the checkpoint a witness cosigned is named even once the kept ones are deleted.
            failures.Insert(0, new VerificationFailure(LedgerVerifier.Ledger, 0, $"history diverged: the stored events no longer yield {recorded.Named} ({recorded.Reason})"));
        }

        return failures.Take(max).ToList();
    }
}
