using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Witness;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// Runs the witnesses' round for a new checkpoint over the stored tree (docs/api.md, "Witnesses"): the cosigner
/// reads each witness's checkpoint and checks the stored tree still gives it, then submits the new one with the
/// consistency proof from the witness's size. With no witness configured the round is empty and asks nothing.
/// </summary>
public sealed class CheckpointWitnesses(WitnessCosigner cosigner, CheckpointLog log, MerkleStore tree, AuditSigningKey key)
{
    /// <summary>The round for <paramref name="signed"/> (signed, not yet kept): the cosignatures that verify, or the divergence.</summary>
    public async Task<(IReadOnlyList<Cosignature> Cosignatures, Divergence? Diverged)> RoundAsync(Checkpoint signed, CancellationToken ct)
    {
        var round = await cosigner.CosignAsync(Json(signed), key.PublicKey, ConsistencyProofAsync, RootAtAsync, ct);
        return ([.. round.Cosignatures.Select(c => new Cosignature(c.Witness ?? "", c.KeyId!, c.Timestamp!, c.Signature!))], round.Diverged);
    }

    /// <summary>A checkpoint as the witness protocol carries it.</summary>
    public static CheckpointJson Json(Checkpoint checkpoint) => new(
        checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Position, checkpoint.Timestamp, checkpoint.KeyId, checkpoint.Signature,
        [.. checkpoint.Cosignatures.Select(c => new CosignatureJson(c.Witness, c.KeyId, c.Timestamp, c.Signature))]);

    private async Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long fromSize, long toSize, CancellationToken ct)
    {
        var proof = MerkleTree.ConsistencyProof(fromSize, toSize);
        var read = await tree.ReadAsync([.. proof], [], null, null, ct);
        return [.. proof.Select(read.Hash)];
    }

    private async Task<byte[]?> RootAtAsync(long treeSize, CancellationToken ct) =>
        treeSize > await log.TreeSizeAsync(ct) ? null : (await log.RootAsync(treeSize, ct)).RootHash;
}
