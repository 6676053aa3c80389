using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The log's name, the first line of every checkpoint body: <c>Ledger:Audit:LogOrigin</c>, by default
/// <c>agreement-ledger/</c> followed by the signing key's key id, so that a new key (a new log) has a new name.
/// </summary>
public sealed record LogOrigin(string Name)
{
    public const string Setting = "Ledger:Audit:LogOrigin";

    public static LogOrigin From(IConfiguration configuration, AuditSigningKey key)
    {
        var name = configuration[Setting] is { Length: > 0 } configured ? configured : "agreement-ledger/" + key.KeyId;
        return CheckpointMessages.IsValidOrigin(name)
            ? new LogOrigin(name)
            : throw new InvalidOperationException($"{Setting} must be 1 to 255 characters without control characters or surrounding spaces.");
    }
}
