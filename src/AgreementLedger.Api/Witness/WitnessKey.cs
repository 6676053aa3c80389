using System.Security.Cryptography;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's own ES256 key, which signs its cosignatures: <c>witness-key.pk8</c> (DER PKCS#8, mode 0600) in
/// the state directory, created on first start and reused after, so that a cosignature checks against the same
/// public key for as long as the witness lives.
/// </summary>
public sealed class WitnessKey : IDisposable
{
    public const string FileName = "witness-key.pk8";

    private readonly ECDsa _key;

    private WitnessKey(ECDsa key, string source)
    {
        _key = key;
        Source = source;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = Es256.KeyIdOf(PublicKey);
    }

    public string KeyId { get; }

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The key file, and whether it was made now, for the start-up line.</summary>
    public string Source { get; }

    public string Sign(ReadOnlySpan<byte> message) => Es256.Sign(_key, message);

    /// <summary>The key in <paramref name="directory"/>, created there (written durably, never over a file) if it has none.</summary>
    public static WitnessKey LoadOrCreate(string directory)
    {
        var path = Path.Combine(directory, FileName);
        DurableFile.RemoveLeftovers(directory, FileName);
        if (!File.Exists(path))
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            try
            {
                DurableFile.Write(path, created.ExportPkcs8PrivateKey(), overwrite: false);
                return new WitnessKey(Import(File.ReadAllBytes(path), path), path + " (generated)");
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it meanwhile: use that one.
            }
        }

        byte[] der;
        try
        {
            der = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WitnessRefusalException($"The witness key '{path}' cannot be read: {e.Message}", e);
        }

        return new WitnessKey(Import(der, path), path);
    }

    private static ECDsa Import(byte[] der, string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out var read);
            if (read != der.Length || !Es256.IsP256(key))
            {
                throw new CryptographicException();
            }

            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new WitnessRefusalException($"The witness key '{path}' is not a DER PKCS#8 ECDSA P-256 private key; restore it from a backup of the state directory.", e);
        }
    }

    public void Dispose() => _key.Dispose();
}
