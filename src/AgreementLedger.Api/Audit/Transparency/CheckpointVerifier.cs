using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Audit.Transparency;

/// <summary>What <see cref="CheckpointVerifier.Check"/> found: the root (null when the checkpoint is malformed) and the key ids of the given witnesses whose cosignature verified.</summary>
public sealed record CheckedCheckpoint(byte[]? Root, IReadOnlySet<string> CosignedBy);

/// <summary>
/// The offline check of one checkpoint with nothing but public keys, shared by <c>verify-proof</c> and
/// <c>verify-export</c> so that both read the same bytes as signed (<see cref="CheckpointMessages"/>) and count
/// cosignatures alike: its signature is by one of the log's keys over its C2SP body, and each cosignature by a given
/// witness key verifies over the cosigned message. A cosignature by a key not given is ignored (anyone can add one);
/// one by a given key that fails is a failure, for it says the file was changed.
/// </summary>
public static class CheckpointVerifier
{
    /// <summary>Checks <paramref name="checkpoint"/>, named <paramref name="what"/> in each failure added to <paramref name="failures"/>.</summary>
    public static CheckedCheckpoint Check(
        Checkpoint checkpoint, string what, IEnumerable<byte[]> logKeys, IEnumerable<byte[]> witnessKeys, ICollection<string> failures)
    {
        var cosigned = new HashSet<string>(StringComparer.Ordinal);
        if (checkpoint.Origin is null || !CheckpointMessages.IsValidOrigin(checkpoint.Origin) || !MerkleHash.TryParse(checkpoint.RootHash, out var root) || checkpoint.TreeSize < 0)
        {
            failures.Add($"{what} is malformed (origin, treeSize or rootHash)");
            return new CheckedCheckpoint(null, cosigned);
        }

        var body = CheckpointMessages.Body(checkpoint.Origin, checkpoint.TreeSize, root);
        var logKey = logKeys.FirstOrDefault(k => Es256.KeyIdOf(k) == checkpoint.KeyId);
        if (logKey is null)
        {
            failures.Add($"{what} is signed with key {checkpoint.KeyId}, which is not among the --public-key keys given");
        }
        else if (checkpoint.Signature is null || !Es256.Verify(logKey, body, checkpoint.Signature))
        {
            failures.Add($"{what}'s signature does not verify with key {checkpoint.KeyId}");
        }

        var witnesses = witnessKeys.ToList();
        foreach (var cosignature in checkpoint.Cosignatures ?? [])
        {
            var witnessKey = witnesses.FirstOrDefault(k => Es256.KeyIdOf(k) == cosignature.KeyId);
            if (witnessKey is null)
            {
                continue;
            }

            if (!CheckpointMessages.VerifyCosignature(witnessKey, checkpoint.Origin, checkpoint.TreeSize, root, cosignature.Timestamp, cosignature.Signature))
            {
                failures.Add($"the cosignature of {cosignature.Witness} (key {cosignature.KeyId}) on {what} does not verify");
                continue;
            }

            cosigned.Add(cosignature.KeyId);
        }

        return new CheckedCheckpoint(root, cosigned);
    }
}
