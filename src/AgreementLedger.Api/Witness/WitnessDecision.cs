using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's rule (docs/api.md, "Witnesses"; after C2SP tlog-witness), as a function of its state: trust the
/// checkpoint's key and signature (403), then require <c>oldSize</c> to be the size it holds (409), then the same
/// root at the same size or a consistency proof from its tree to the new one (422). Only a cosignature or a key
/// pinned on first use changes the state; the caller writes it durably before it answers.
/// </summary>
public static class WitnessDecision
{
    public static (SubmissionOutcome Outcome, WitnessState? NewState) Decide(
        WitnessState state, LogKeys trusted, CheckedSubmission submission, WitnessKey key, string witnessName, DateTimeOffset now)
    {
        var body = submission.Body;
        if (Trust(state, trusted, submission) is not { } logKey)
        {
            return (new SubmissionOutcome.Untrusted(UntrustedDetail(state, trusted, submission)), null);
        }

        if (!Es256.Verify(logKey.PublicKey, body, submission.Signature))
        {
            return (new SubmissionOutcome.Untrusted($"The checkpoint's signature does not verify with the key {submission.KeyId}."), null);
        }

        // Trust on first use: the first key whose signature verifies is pinned, whatever the rest of the answer.
        var pinned = logKey.PinNow ? state with { PinnedKey = Convert.ToBase64String(logKey.PublicKey) } : state;
        var changed = logKey.PinNow ? pinned : null;

        var log = pinned.Log(submission.Origin);
        var size = log?.TreeSize ?? 0;
        var root = log is null ? MerkleHash.EmptyRoot : Convert.FromHexString(log.RootHash);
        var rootHex = Convert.ToHexStringLower(root);
        if (submission.OldSize != size)
        {
            return (new SubmissionOutcome.Conflict(
                $"oldSize is {submission.OldSize}, but this witness holds the tree of size {size} of '{submission.Origin}': prove consistency from that one.",
                size, rootHex), changed);
        }

        if (submission.TreeSize == size)
        {
            if (!root.AsSpan().SequenceEqual(submission.RootHash))
            {
                return (new SubmissionOutcome.Conflict(
                    $"This witness cosigned another root for size {size} of '{submission.Origin}': it never cosigns two roots for one size.",
                    size, rootHex), changed);
            }

            if (log is not null)
            {
                return (new SubmissionOutcome.Cosigned(log.Cosignature), changed);
            }
        }
        else if (!MerkleProofs.VerifyConsistency(size, submission.TreeSize, root, submission.RootHash, submission.Proof))
        {
            return (new SubmissionOutcome.ProofFailed(
                $"The proof does not show that the tree of size {submission.TreeSize} extends the tree of size {size} this witness holds" +
                (size == 0 ? " (from size 0 the proof is [])." : ".")), changed);
        }

        var cosignature = Cosign(body, key, witnessName, now);
        var next = pinned.With(new LogState(submission.Origin, submission.TreeSize, Convert.ToHexStringLower(submission.RootHash),
            submission.KeyId, submission.Checkpoint, cosignature));
        return (new SubmissionOutcome.Cosigned(cosignature), next);
    }

    /// <summary>A cosignature of a checkpoint body at <paramref name="now"/>, to the second.</summary>
    public static CosignatureJson Cosign(byte[] body, WitnessKey key, string witnessName, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        var signature = key.Sign(CheckpointMessages.Cosigned(seconds, body));
        return new CosignatureJson(witnessName, key.KeyId, Rfc3339(seconds), signature);
    }

    public static string Rfc3339(long unixSeconds) =>
        CheckpointMessages.Timestamp(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    private static (byte[] PublicKey, bool PinNow)? Trust(WitnessState state, LogKeys trusted, CheckedSubmission submission)
    {
        if (trusted.Given)
        {
            return trusted.Find(submission.KeyId) is { } given ? (given, false) : null;
        }

        if (state.PinnedKey is { } pinnedText)
        {
            var pinned = Convert.FromBase64String(pinnedText);
            return Es256.KeyIdOf(pinned) == submission.KeyId ? (pinned, false) : null;
        }

        return submission.OfferedKey is { } offered && Es256.KeyIdOf(offered) == submission.KeyId ? (offered, true) : null;
    }

    private static string UntrustedDetail(WitnessState state, LogKeys trusted, CheckedSubmission submission) =>
        trusted.Given ? $"The checkpoint's key {submission.KeyId} is not among the log keys this witness was started with ({string.Join(", ", trusted.KeyIds)})."
        : state.PinnedKey is { } pinned ? $"The checkpoint's key {submission.KeyId} is not the log key this witness trusts ({Es256.KeyIdOf(Convert.FromBase64String(pinned))}, pinned on first use)."
        : submission.OfferedKey is { } offered ? $"publicKey has the key id {Es256.KeyIdOf(offered)}, not the checkpoint's {submission.KeyId}."
        : "This witness trusts no log key yet: send the log's publicKey with the first submission, or start the witness with --log-key.";
}
