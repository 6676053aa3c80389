namespace AgreementLedger.Witness;

/// <summary>
/// A checkpoint as the service serves it (docs/api.md, "Transparency log"): <c>origin</c>, <c>treeSize</c> and
/// <c>rootHash</c> make the signed body; <c>position</c> and <c>timestamp</c> are not signed and are kept as given.
/// Every member is nullable so that a missing one is a 400 naming it, not a default.
/// </summary>
public sealed record CheckpointJson(
    string? Origin,
    long? TreeSize,
    string? RootHash,
    long? Position,
    string? Timestamp,
    string? KeyId,
    string? Signature,
    IReadOnlyList<CosignatureJson>? Cosignatures);

/// <summary>One witness's cosignature: <c>timestamp</c> is RFC 3339 UTC to the second, the same instant as the unix time in the cosigned message.</summary>
public sealed record CosignatureJson(string? Witness, string? KeyId, string? Timestamp, string? Signature);

/// <summary>
/// The body of <c>POST /witness/checkpoints</c>: the new checkpoint (its cosignatures are ignored), the size of the
/// tree the witness holds, the consistency proof from it, and — for trust on first use only — the log's public key.
/// </summary>
public sealed record WitnessSubmission(
    [property: System.ComponentModel.DataAnnotations.Required] CheckpointJson? Checkpoint,
    [property: System.ComponentModel.DataAnnotations.Required] long? OldSize,
    [property: System.ComponentModel.DataAnnotations.Required] IReadOnlyList<string>? Proof,
    string? PublicKey);

/// <summary>The answer of <c>GET /witness/public-key</c>.</summary>
public sealed record WitnessPublicKey(string KeyId, string PublicKey, string Pem);
