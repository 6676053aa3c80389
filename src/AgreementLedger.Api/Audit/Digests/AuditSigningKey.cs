using AgreementLedger.Ledger.Signing;
using System.Security.Cryptography;
using System.Text;

namespace AgreementLedger.Audit.Digests;

/// <summary>
/// The service's ECDSA P-256 key that signs ledger digests (ES256, IEEE P1363 signatures), and the public
/// keys that check them. Where it comes from (configuration, a key file, the embedded database's private
/// folder) is <see cref="Load"/>, in AuditSigningKey.Loading.cs.
/// </summary>
public sealed partial class AuditSigningKey : IDisposable
{
    public const string Algorithm = "ES256";
    private const string MessagePrefix = "agreement-ledger/digest/v1";

    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key, string source, IReadOnlyList<byte[]>? previousPublicKeys = null)
    {
        _key = key;
        Source = source;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(PublicKey);
        VerifyingKeys = new[] { PublicKey }.Concat(previousPublicKeys ?? [])
            .DistinctBy(KeyIdOf).ToDictionary(KeyIdOf, k => k, StringComparer.Ordinal);
    }

    public string KeyId { get; }

    /// <summary>The public key as DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Where the key came from, for the start-up log.</summary>
    public string Source { get; }

    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Es256.KeyIdOf(subjectPublicKeyInfo);

    /// <summary>The exact bytes that are signed for a digest at a position.</summary>
    public static byte[] Message(long position, string digest) =>
        Encoding.UTF8.GetBytes($"{MessagePrefix}\n{position.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n{digest}");

    public string Sign(long position, string digest) => Es256.Sign(_key, Message(position, digest));

    /// <summary>ES256 with this key over another signed message: a checkpoint's body (docs/audit.md, "Transparency log").</summary>
    public string Sign(ReadOnlySpan<byte> message) => Es256.Sign(_key, message);

    public static bool Verify(byte[] subjectPublicKeyInfo, long position, string digest, string signature) =>
        Es256.Verify(subjectPublicKeyInfo, Message(position, digest), signature);

    /// <summary>
    /// Checks a signed digest against a set of public keys by key id. A key id that is not among them
    /// is <see cref="SignatureCheck.UnknownKey"/>, a failure like a bad signature: whoever can write a
    /// digest record can write any key id into it.
    /// </summary>
    public static SignatureCheck Check(IReadOnlyDictionary<string, byte[]> keysById, SignedDigest signed) =>
        !keysById.TryGetValue(signed.KeyId, out var key) ? SignatureCheck.UnknownKey
        : Verify(key, signed.Position, signed.Digest, signed.Signature) ? SignatureCheck.Valid
        : SignatureCheck.Invalid;

    /// <summary>A DER SubjectPublicKeyInfo as a PEM <c>PUBLIC KEY</c> block.</summary>
    public static string Pem(byte[] subjectPublicKeyInfo) => Es256.Pem(subjectPublicKeyInfo);

    /// <summary>
    /// Every key that verifies kept digests, by key id: the current one first, then the public keys
    /// of signing keys used before a rotation (Ledger:Audit:PreviousPublicKeys), which no longer sign
    /// but keep the digests signed with them checkable. Built once: the verifier looks keys up per digest.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> VerifyingKeys { get; }

    public AuditSigningKey WithPreviousPublicKeys(IReadOnlyList<byte[]> previous) => new(_key, Source, previous);

    public void Dispose() => _key.Dispose();
}
