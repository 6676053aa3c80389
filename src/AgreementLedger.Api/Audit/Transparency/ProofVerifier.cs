using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The offline check of one event's inclusion proof (docs/audit.md, "Transparency log"), with nothing
/// but public keys: the checkpoint is signed by one of the log's keys over its C2SP body, the proof
/// is for that checkpoint's size and root, its leaf is the event's hash (when given), its audit path
/// leads from the leaf to the root (RFC 9162 §2.1.3.2), and at least the required number of the
/// given witnesses cosigned the checkpoint. A signature from a key that was not given never counts.
/// </summary>
public static class ProofVerifier
{
    public static ProofVerification Verify(
        Checkpoint checkpoint,
        InclusionProof proof,
        IReadOnlyList<byte[]> logKeys,
        IReadOnlyList<byte[]> witnessKeys,
        int minCosignatures,
        string? eventHash)
    {
        var failures = new List<string>();
        var (checkedRoot, cosigned) = CheckpointVerifier.Check(checkpoint, "the checkpoint", logKeys, witnessKeys, failures);
        if (checkedRoot is not { } root)
        {
            return new ProofVerification(false, 0, failures);
        }

        if (proof.TreeSize != checkpoint.TreeSize || !string.Equals(proof.RootHash, checkpoint.RootHash, StringComparison.Ordinal))
        {
            failures.Add($"the proof is for a tree of {proof.TreeSize} leaves with root {proof.RootHash}, not the checkpoint's {checkpoint.TreeSize} with root {checkpoint.RootHash}");
        }

        if (!MerkleHash.TryParse(proof.LeafHash, out var leaf) || proof.AuditPath.Any(h => !MerkleHash.TryParse(h, out _)))
        {
            failures.Add("the proof's leafHash or auditPath is not lowercase hex of 32-byte hashes");
        }
        else
        {
            if (eventHash is not null && !(MerkleHash.TryParse(eventHash, out var hashed) && MerkleHash.Leaf(hashed).AsSpan().SequenceEqual(leaf)))
            {
                failures.Add($"the proof's leafHash is not the leaf of the event hash {eventHash} (SHA-256 of 0x00 and its 32 bytes)");
            }

            var path = proof.AuditPath.Select(Convert.FromHexString).ToList();
            if (!MerkleProofs.VerifyInclusion(proof.LeafIndex, checkpoint.TreeSize, leaf, path, root))
            {
                failures.Add($"the audit path does not lead from leaf {proof.LeafIndex} to the checkpoint's root");
            }
        }

        if (cosigned.Count < minCosignatures)
        {
            failures.Add($"{cosigned.Count} of the given witnesses cosigned the checkpoint; at least {minCosignatures} required");
        }

        return new ProofVerification(failures.Count == 0, cosigned.Count, failures);
    }
}
