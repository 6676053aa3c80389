namespace AgreementLedger.Audit.Digests;

/// <summary>What checking a signed digest against a set of keys found.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>No key of the digest's key id is among the keys: never a pass.</summary>
    UnknownKey,

    Invalid,
}
