using AgreementLedger.Audit.Transparency;
using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// The part of <see cref="ExportVerifier"/> that checks an export's checkpoint records once its events were read: the
/// tree they give against the checkpoint record, and the consistency record's proof from it. Signatures and
/// cosignatures are checked by <see cref="CheckpointVerifier"/>, as <c>verify-proof</c> checks them.
/// </summary>
internal static class ExportCheckpointVerifier
{
    /// <summary>
    /// The checkpoint record against the exported events' tree (size, root, last position) and the log's keys, and the
    /// consistency record's checkpoint against the same keys and the proof from the checkpoint record's tree to its
    /// own; answers the given witness keys that cosigned either.
    /// </summary>
    public static HashSet<string> Check(
        Checkpoint checkpoint, (Checkpoint Checkpoint, ExportConsistency Proof)? consistency, MerkleAccumulator tree, long lastPosition,
        IEnumerable<byte[]> logKeys, IEnumerable<byte[]> witnessKeys, List<string> failures)
    {
        const string What = "the checkpoint record";
        var root = Convert.ToHexStringLower(tree.Root);
        if (checkpoint.TreeSize != tree.Size)
        {
            failures.Add($"{What} is of a tree of {checkpoint.TreeSize} leaves, but the export holds {tree.Size} events");
        }

        if (checkpoint.RootHash != root)
        {
            failures.Add($"the Merkle root of the exported events is {root}, not the rootHash {checkpoint.RootHash} of {What}: events were altered, removed, reordered or inserted");
        }

        if (checkpoint.Position != lastPosition)
        {
            failures.Add($"{What} gives position {checkpoint.Position}, but the last exported event's is {lastPosition}");
        }

        var own = CheckpointVerifier.Check(checkpoint, What, logKeys, witnessKeys, failures);
        var cosigned = new HashSet<string>(own.CosignedBy, StringComparer.Ordinal);
        if (consistency is not { Checkpoint: var newer, Proof: var proof })
        {
            return cosigned;
        }

        const string Newer = "the consistency record";
        if (newer.Origin != checkpoint.Origin)
        {
            failures.Add($"{Newer} is of the log {newer.Origin}, not {checkpoint.Origin} of {What}");
        }

        if (proof.From != checkpoint.TreeSize || proof.To != newer.TreeSize)
        {
            failures.Add($"{Newer}'s proof is from {proof.From} to {proof.To}, not from the {checkpoint.TreeSize} leaves of {What} to its own {newer.TreeSize}");
        }

        var other = CheckpointVerifier.Check(newer, Newer, logKeys, witnessKeys, failures);
        cosigned.UnionWith(other.CosignedBy);
        var hashes = new List<byte[]>();
        foreach (var hex in proof.Proof)
        {
            hashes.Add(MerkleHash.TryParse(hex, out var hash) ? hash : []);
        }

        if (own.Root is { } from && other.Root is { } to && !MerkleProofs.VerifyConsistency(checkpoint.TreeSize, newer.TreeSize, from, to, hashes))
        {
            failures.Add($"the consistency proof does not show that the tree of {newer.TreeSize} leaves of {Newer} extends the {checkpoint.TreeSize} of {What}");
        }

        return cosigned;
    }
}
