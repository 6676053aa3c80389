using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Transparency;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// What <see cref="ExportVerifier.Verify"/> found: verified only with no failure. <see cref="Checkpoint"/> and
/// <see cref="Consistent"/> are the export's checkpoint records (null in an export written before it carried them),
/// <see cref="Cosignatures"/> the distinct given witness keys whose cosignature of either verified.
/// </summary>
public sealed record ExportVerification(
    bool Verified, long Events, int Agreements, long KeptDigests, SignedDigest? Digest, IReadOnlyList<string> Failures,
    Checkpoint? Checkpoint = null, Checkpoint? Consistent = null, int Cosignatures = 0);
