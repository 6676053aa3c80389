namespace AgreementLedger.Audit.Transparency;

/// <summary>What <see cref="ProofVerifier.Verify"/> found: verified only with no failure.</summary>
public sealed record ProofVerification(bool Verified, int Cosignatures, IReadOnlyList<string> Failures);
