using AgreementLedger.Audit.Transparency;
using AgreementLedger.Ledger.Merkle.Stored;

namespace AgreementLedger.Audit.Exporting;

/// <summary>The RFC 9162 consistency proof a <c>consistency</c> record carries: from the export's tree size to the newer cosigned one's.</summary>
public sealed record ExportConsistency(long From, long To, IReadOnlyList<string> Proof);

/// <summary>The checkpoint records that close an export: its own checkpoint, and the newer cosigned one with the proof to it when its own has no cosignature.</summary>
public sealed record ExportedCheckpoints(Checkpoint Checkpoint, Checkpoint? Cosigned, ExportConsistency? Consistency);

/// <summary>
/// Finds the checkpoints an export ends with (docs/audit.md, section 4): the checkpoint over exactly the exported
/// events, as <c>GET /audit/checkpoint?treeSize=</c> answers it (the kept one with its cosignatures, else one signed
/// now), and, when no witness cosigned that size, the newest cosigned checkpoint with a consistency proof from it, so
/// that an export as of any instant can still be held to a witness's word.
/// </summary>
public sealed class ExportCheckpoints(CheckpointLog log, KeptCosignatures cosignatures, MerkleStore tree, LogOrigin origin)
{
    /// <summary>The checkpoints of an export of <paramref name="treeSize"/> events (at most the tree's size).</summary>
    public async Task<ExportedCheckpoints> ForAsync(long treeSize, CancellationToken ct)
    {
        var checkpoint = await log.AtSizeAsync(treeSize, ct);
        if (checkpoint.Cosignatures.Count > 0 || await cosignatures.NewestSizeAboveAsync(origin.Name, treeSize, await log.TreeSizeAsync(ct), ct) is not { } newer)
        {
            return new ExportedCheckpoints(checkpoint, null, null);
        }

        // Served only while it is what it claims: a kept checkpoint the stored tree no longer gives comes back signed now, uncosigned.
        var cosigned = await log.AtSizeAsync(newer, ct);
        if (cosigned.Cosignatures.Count == 0)
        {
            return new ExportedCheckpoints(checkpoint, null, null);
        }

        var proof = await StoredConsistencyProof.ReadAsync(tree, treeSize, newer, ct);
        return new ExportedCheckpoints(checkpoint, cosigned, new ExportConsistency(treeSize, newer, proof.Proof));
    }
}
