using System.Security.Cryptography;

namespace AgreementLedger.Ledger.Signing;

/// <summary>
/// ES256 as every signature of the ledger uses it (digests, checkpoints, cosignatures): ECDSA P-256 with SHA-256,
/// signatures as base64 of IEEE P1363 r ‖ s (64 bytes), public keys as DER SubjectPublicKeyInfo named by their
/// key id. Here rather than in the digest key so that the witness, which has no ledger, signs and checks the same way.
/// </summary>
public static class Es256
{
    public const string Algorithm = "ES256";

    private const DSASignatureFormat Format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation;

    /// <summary>The first 16 lowercase hex characters of SHA-256 over the DER SubjectPublicKeyInfo (docs/audit.md section 2).</summary>
    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    /// <summary>A DER SubjectPublicKeyInfo as a PEM <c>PUBLIC KEY</c> block.</summary>
    public static string Pem(byte[] subjectPublicKeyInfo) => PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo);

    public static string Sign(ECDsa key, ReadOnlySpan<byte> message) =>
        Convert.ToBase64String(key.SignData(message, HashAlgorithmName.SHA256, Format));

    /// <summary>Whether <paramref name="signature"/> (base64) is the key's signature of <paramref name="message"/>; malformed input is false, never an exception.</summary>
    public static bool Verify(byte[] subjectPublicKeyInfo, ReadOnlySpan<byte> message, string signature)
    {
        Span<byte> bytes = stackalloc byte[128];
        if (!Convert.TryFromBase64String(signature, bytes, out var length))
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return key.VerifyData(message, bytes[..length], HashAlgorithmName.SHA256, Format);
    }

    /// <summary>
    /// The DER SubjectPublicKeyInfo of the ECDSA P-256 key in <paramref name="base64"/>, re-encoded; false for
    /// text that is not base64, trailing bytes, another curve or another algorithm.
    /// </summary>
    public static bool TryParsePublicKey(string base64, out byte[] subjectPublicKeyInfo)
    {
        subjectPublicKeyInfo = [];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length || !IsP256(key))
            {
                return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }

        subjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
        return true;
    }

    public static bool IsP256(ECDsa key) =>
        key.KeySize == 256 && key.ExportParameters(false).Curve is { IsNamed: true, Oid.Value: "1.2.840.10045.3.1.7" };
}
