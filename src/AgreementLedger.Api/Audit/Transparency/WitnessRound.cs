using AgreementLedger.Witness;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// What submitting one checkpoint to the witnesses gave: the cosignatures that verify with the configured keys,
/// the witnesses that could not cosign it (unreachable, refusing, or answering what does not verify), and — when
/// the stored events no longer yield a checkpoint a witness cosigned — the divergence, in which case nothing was submitted.
/// </summary>
public sealed record WitnessRound(IReadOnlyList<CosignatureJson> Cosignatures, IReadOnlyList<string> Failures, Divergence? Diverged)
{
    /// <summary>The trees the witnesses are known to have cosigned after the round: those read from them, and those cosigned in it.</summary>
    public IReadOnlyList<WitnessedTree> Witnessed { get; init; } = [];
}

/// <summary>
/// A tree of <see cref="TreeSize"/> leaves with <see cref="RootHash"/> (lowercase hex) that <see cref="SignedBy"/> signed:
/// a witness, or the service itself (<see cref="ByService"/>; a witness's signature is the stronger evidence).
/// </summary>
public sealed record WitnessedTree(string SignedBy, long TreeSize, string RootHash, bool ByService = false)
{
    /// <summary>How a divergence names a witness as the signer of its checkpoint.</summary>
    public static string SignerOf(Uri witness) => $"the witness at {witness}";

    /// <summary>
    /// This signed tree held against the stored tree's root at its size (<paramref name="storedRoot"/>, lowercase hex;
    /// null when the stored tree is smaller): the divergence, or null while the stored tree still gives it.
    /// </summary>
    public DivergedCheckpoint? HeldAgainst(string? storedRoot) => storedRoot == RootHash ? null
        : new DivergedCheckpoint(TreeSize, RootHash, SignedBy, storedRoot is null
            ? $"it signed a tree of {TreeSize} leaves, larger than the stored tree"
            : $"it signed root {RootHash} at size {TreeSize}, the stored events give {storedRoot}");
}

/// <summary>
/// A checkpoint a witness cosigned that the stored events no longer yield: another root at its size, or a size
/// beyond the stored tree (docs/api.md, <c>history-diverged</c>).
/// </summary>
public sealed record Divergence(Uri Witness, CheckpointJson Checkpoint, string Reason);
