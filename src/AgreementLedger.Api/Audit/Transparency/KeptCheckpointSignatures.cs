using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The signature check of kept checkpoints, with a memory of the valid ones: every newest checkpoint served is a kept
/// one, and verifying its ES256 signature on each request would cost more than reading it.
/// </summary>
public sealed class KeptCheckpointSignatures(AuditSigningKey key)
{
    /// <summary>
    /// Whether a checkpoint's signature is one of the service's keys over its body. A signature found valid is
    /// remembered with everything it covers (origin, size, root, key and signature), so the kept checkpoint served on
    /// every request is verified once, not each time; a row changed in any of those is checked afresh.
    /// </summary>
    public SignatureCheck Check(Checkpoint checkpoint)
    {
        if (!key.VerifyingKeys.TryGetValue(checkpoint.KeyId, out var publicKey))
        {
            return SignatureCheck.UnknownKey;
        }

        var signed = (checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.KeyId, checkpoint.Signature);
        if (_valid.ContainsKey(signed))
        {
            return SignatureCheck.Valid;
        }

        if (checkpoint.RootHash.Length == 2 * MerkleHash.Size && checkpoint.RootHash.All(char.IsAsciiHexDigit)
            && Es256.Verify(publicKey, CheckpointMessages.Body(checkpoint.Origin, checkpoint.TreeSize, Convert.FromHexString(checkpoint.RootHash)), checkpoint.Signature))
        {
            if (_valid.Count >= MaxRemembered)
            {
                _valid.Clear();
            }

            _valid[signed] = true;
            return SignatureCheck.Valid;
        }

        return SignatureCheck.Invalid;
    }

    /// <summary>Valid signatures remembered at most (a few hundred kilobytes); then the memory starts afresh.</summary>
    private const int MaxRemembered = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Origin, long TreeSize, string RootHash, string KeyId, string Signature), bool> _valid = new();
}
