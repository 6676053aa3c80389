namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// A signed checkpoint as served (docs/api.md, "Transparency log"): <see cref="Origin"/>, <see cref="TreeSize"/> and
/// <see cref="RootHash"/> make the signed body (<c>CheckpointMessages.Body</c>); <see cref="Position"/> (of its last
/// leaf, 0 for the empty tree) and <see cref="Timestamp"/> (when the service signed it) are not signed.
/// </summary>
public sealed record Checkpoint(
    string Origin,
    long TreeSize,
    string RootHash,
    long Position,
    string Timestamp,
    string KeyId,
    string Signature,
    IReadOnlyList<Cosignature> Cosignatures);

/// <summary>One witness's cosignature of a checkpoint (docs/audit.md, "Witness").</summary>
public sealed record Cosignature(string Witness, string KeyId, string Timestamp, string Signature);

/// <summary><c>GET /audit/proofs/inclusion</c>: RFC 9162 §2.1.3.1, hashes in lowercase hex.</summary>
public sealed record InclusionProof(long Position, long LeafIndex, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> AuditPath);

/// <summary><c>GET /audit/proofs/consistency</c>: RFC 9162 §2.1.4.1, hashes in lowercase hex.</summary>
public sealed record ConsistencyProof(long From, long To, string FromRootHash, string ToRootHash, IReadOnlyList<string> Proof);
