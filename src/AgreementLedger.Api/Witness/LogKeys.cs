using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// The log keys given with <c>--log-key</c> (base64 DER SubjectPublicKeyInfo), by key id. With none given the
/// witness trusts the key of the first submission whose signature verifies, and pins it in its state.
/// </summary>
public sealed class LogKeys(IReadOnlyList<byte[]> keys)
{
    private readonly Dictionary<string, byte[]> _byId = keys.DistinctBy(Es256.KeyIdOf).ToDictionary(Es256.KeyIdOf, StringComparer.Ordinal);

    public bool Given => _byId.Count > 0;

    public IEnumerable<string> KeyIds => _byId.Keys;

    public byte[]? Find(string keyId) => _byId.GetValueOrDefault(keyId);
}
