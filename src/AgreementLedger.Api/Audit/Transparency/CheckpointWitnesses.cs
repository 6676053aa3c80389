using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Witness;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// Runs the witnesses' round for a new checkpoint over the stored tree (docs/api.md, "Witnesses"): the cosigner
/// reads each witness's checkpoint and checks the stored tree still gives it, then submits the new one with the
/// consistency proof from the witness's size. With no witness configured the round is empty and asks nothing.
/// </summary>
public sealed class CheckpointWitnesses(WitnessCosigner cosigner, CheckpointLog log, MerkleStore tree, AuditSigningKey key, LogOrigin origin)
{
    /// <summary>The round for <paramref name="signed"/> (signed, not yet kept): the cosignatures that verify, or the divergence.</summary>
    public async Task<(IReadOnlyList<Cosignature> Cosignatures, DivergedCheckpoint? Diverged, IReadOnlyList<WitnessedTree> Witnessed)> RoundAsync(Checkpoint signed, CancellationToken ct)
    {
        var round = await cosigner.CosignAsync(Json(signed), key.PublicKey, ConsistencyProofAsync, RootAtAsync, ct);
        return ([.. round.Cosignatures.Select(c => new Cosignature(c.Witness ?? "", c.KeyId!, c.Timestamp!, c.Signature!))],
            round.Diverged is { } diverged ? Of(diverged) : null, round.Witnessed);
    }

    /// <summary>
    /// Whether the stored events still yield every checkpoint signed before: the newest one the service kept (of
    /// this log, and signed: a forged row proves nothing), then the one each witness cosigned. Null while they do.
    /// </summary>
    public async Task<(DivergedCheckpoint? Diverged, IReadOnlyList<WitnessedTree> Known)> CheckAsync(CancellationToken ct)
    {
        var known = new List<WitnessedTree>();
        if (await log.NewestKeptAsync(ct) is { } kept && kept.Origin == origin.Name && log.Check(kept) == Digests.SignatureCheck.Valid)
        {
            var signed = new WitnessedTree(SignerOf(kept), kept.TreeSize, kept.RootHash, ByService: true);
            if (signed.HeldAgainst(await RootAtAsync(kept.TreeSize, ct) is { } stored ? CheckpointLog.Hex(stored) : null) is { } diverged)
            {
                return (diverged, known);
            }

            known.Add(signed);
        }

        var round = await cosigner.CheckAsync(origin.Name, RootAtAsync, ct);
        known.AddRange(round.Witnessed);
        return (round.Diverged is { } divergence ? Of(divergence) : null, known);
    }

    /// <summary>How a divergence names the service as the signer of one of its checkpoints.</summary>
    public static string SignerOf(Checkpoint checkpoint) => $"the service (key {checkpoint.KeyId})";

    /// <summary>A witness's divergence as the record names it.</summary>
    public static DivergedCheckpoint Of(Divergence divergence) =>
        new(divergence.Checkpoint.TreeSize ?? 0, divergence.Checkpoint.RootHash ?? "", WitnessedTree.SignerOf(divergence.Witness), divergence.Reason);

    /// <summary>A checkpoint as the witness protocol carries it.</summary>
    public static CheckpointJson Json(Checkpoint checkpoint) => new(
        checkpoint.Origin, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Position, checkpoint.Timestamp, checkpoint.KeyId, checkpoint.Signature,
        [.. checkpoint.Cosignatures.Select(c => new CosignatureJson(c.Witness, c.KeyId, c.Timestamp, c.Signature))]);

    private async Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long fromSize, long toSize, CancellationToken ct) =>
        [.. (await StoredConsistencyProof.ReadAsync(tree, fromSize, toSize, ct)).Proof.Select(Convert.FromHexString)];

    private async Task<byte[]?> RootAtAsync(long treeSize, CancellationToken ct) =>
        treeSize > await log.TreeSizeAsync(ct) ? null : (await log.RootAsync(treeSize, ct)).RootHash;
}
