using AgreementLedger.Witness;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// What submitting one checkpoint to the witnesses gave: the cosignatures that verify with the configured keys,
/// the witnesses that could not cosign it (unreachable, refusing, or answering what does not verify), and — when
/// the stored events no longer yield a checkpoint a witness cosigned — the divergence, in which case nothing was submitted.
/// </summary>
public sealed record WitnessRound(IReadOnlyList<CosignatureJson> Cosignatures, IReadOnlyList<string> Failures, Divergence? Diverged);

/// <summary>
/// A checkpoint a witness cosigned that the stored events no longer yield: another root at its size, or a size
/// beyond the stored tree (docs/api.md, <c>history-diverged</c>).
/// </summary>
public sealed record Divergence(Uri Witness, CheckpointJson Checkpoint, string Reason);
