using AgreementLedger.Ledger.Signing;
using System.Security.Cryptography;
using AgreementLedger.Infrastructure;

namespace AgreementLedger.Audit.Digests;

/// <summary>
/// Where the signing key comes from: Ledger:Audit:SigningKey (base64 PKCS#8) or the file Ledger:Audit:KeyFile;
/// in Development, with neither, kept in the embedded database's private folder (which the database itself
/// cannot read), else — with a loud warning — generated for this process only. And the previous public keys
/// (Ledger:Audit:PreviousPublicKeys). Every setting that is wrong stops the start with words that name it.
/// </summary>
public sealed partial class AuditSigningKey
{
    /// <summary>
    /// Parses public keys given as PEM (<c>PUBLIC KEY</c>) or as base64 DER SubjectPublicKeyInfo, all ECDSA P-256.
    /// An entry that is not one is a <see cref="StartupException"/> naming Ledger:Audit:PreviousPublicKeys and its place.
    /// </summary>
    public static IReadOnlyList<byte[]> ParsePublicKeys(IEnumerable<string> keys) => keys
        .Where(k => !string.IsNullOrWhiteSpace(k))
        .Select((k, index) =>
        {
            var entry = $"{PreviousPublicKeysSetting} entry {index}";
            byte[] der;
            if (k.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                if (!PemEncoding.TryFind(k, out var pem) || k[pem.Label] is not "PUBLIC KEY")
                {
                    throw new StartupException($"{entry} is not a PEM PUBLIC KEY block (give the public half only, as GET /audit/public-key lists it).");
                }

                der = Convert.FromBase64String(k[pem.Base64Data]);
            }
            else if (!TryFromBase64(k, out der))
            {
                throw new StartupException($"{entry} is neither PEM nor base64: give a PEM PUBLIC KEY block or the base64 DER SubjectPublicKeyInfo of an ECDSA P-256 key.");
            }

            using var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(der, out var read);
                if (read != der.Length || !Es256.IsP256(key))
                {
                    throw new CryptographicException();
                }
            }
            catch (CryptographicException e)
            {
                throw new StartupException($"{entry} is not the SubjectPublicKeyInfo of an ECDSA P-256 key.", e);
            }

            return key.ExportSubjectPublicKeyInfo();
        })
        .ToList();

    /// <summary>
    /// The signing key: Ledger:Audit:SigningKey, else the file Ledger:Audit:KeyFile (created if missing). Outside
    /// Development one of them must be set: a key that lives only as long as the process signs what nobody can check
    /// later. In Development the file in the embedded database's private folder is the default, else a key for this process only.
    /// Every setting that is missing or malformed is a <see cref="StartupException"/> that names it.
    /// </summary>
    /// <param name="configured">Ledger:Audit:SigningKey: base64 of a DER PKCS#8 ECDSA P-256 private key.</param>
    /// <param name="keyFile">Ledger:Audit:KeyFile: a file holding that DER.</param>
    /// <param name="embeddedKeyFile">The file in the embedded database's private folder, used in Development when neither is set.</param>
    public static AuditSigningKey Load(string? configured, string? keyFile, string? embeddedKeyFile, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                throw new StartupException($"{SigningKeySetting} is PEM; give the base64 of the DER instead. {HowToMakeOne}");
            }

            if (!TryFromBase64(configured, out var der))
            {
                throw new StartupException($"{SigningKeySetting} is not valid base64. {HowToMakeOne}");
            }

            return new AuditSigningKey(ImportPrivateKey(der, SigningKeySetting), $"configuration ({SigningKeySetting})");
        }

        if (!string.IsNullOrWhiteSpace(keyFile))
        {
            return FromFile(keyFile, KeyFileSetting);
        }

        if (!environment.IsDevelopment())
        {
            throw new StartupException(
                $"No digest signing key is configured and the environment is '{environment.EnvironmentName}'. Set {SigningKeySetting} " +
                $"(the same on every node) or {KeyFileSetting}; only Development may sign with a key that dies with the process. {HowToMakeOne}");
        }

        if (embeddedKeyFile is not null)
        {
            return FromFile(embeddedKeyFile, $"the embedded database's key file (the default of {KeyFileSetting})");
        }

        var ephemeral = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new AuditSigningKey(ephemeral, "generated for this process only: digests it signs cannot be checked after a restart");
    }

    private const string SigningKeySetting = "Ledger:Audit:SigningKey";
    private const string KeyFileSetting = "Ledger:Audit:KeyFile";
    private const string PreviousPublicKeysSetting = "Ledger:Audit:PreviousPublicKeys";

    private const string HowToMakeOne =
        "Make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkcs8 -topk8 -nocrypt -outform DER | base64 -w0";

    private static AuditSigningKey FromFile(string path, string setting)
    {
        var named = $"{setting} '{path}'";
        byte[] der;
        if (Directory.Exists(path))
        {
            throw new StartupException($"{named} is a directory, not a key file.");
        }

        try
        {
            if (!File.Exists(path))
            {
                return Generate(path, named);
            }

            der = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{named} cannot be read: {e.Message}", e);
        }

        return new AuditSigningKey(ImportPrivateKey(der, named), path);
    }

    private static AuditSigningKey Generate(string path, string named)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            // Never over a file another node wrote meanwhile.
            Infrastructure.SecretFile.Write(path, key.ExportPkcs8PrivateKey(), FileMode.CreateNew);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            key.Dispose();
            if (File.Exists(path))
            {
                return FromFile(path, named);
            }

            throw new StartupException($"{named} does not exist and cannot be created: {e.Message}", e);
        }

        return new AuditSigningKey(key, path + " (generated)");
    }

    /// <summary>A DER PKCS#8 ECDSA P-256 private key, or a <see cref="StartupException"/> naming where it came from.</summary>
    private static ECDsa ImportPrivateKey(byte[] der, string named)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out var read);
            if (read != der.Length)
            {
                throw new CryptographicException();
            }

            if (!Es256.IsP256(key))
            {
                throw new StartupException($"{named} is an ECDSA key of {key.KeySize} bits on another curve; digests are signed with P-256 (ES256). {HowToMakeOne}");
            }

            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new StartupException($"{named} is not a DER PKCS#8 ECDSA P-256 private key. {HowToMakeOne}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }


    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
