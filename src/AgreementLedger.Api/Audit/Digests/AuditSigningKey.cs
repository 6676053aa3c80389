using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Infrastructure.LocalPostgres;

namespace AgreementLedger.Audit.Digests;

/// <summary>
/// The service's ECDSA P-256 key that signs ledger digests (ES256, IEEE P1363 signatures). From
/// Ledger:Audit:SigningKey (base64 PKCS#8) or the file Ledger:Audit:KeyFile; in Development, with neither,
/// kept in the embedded database's private folder (which the database itself cannot read), else — with a loud warning — generated for this process only.
/// </summary>
public sealed class AuditSigningKey : IDisposable
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

    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    /// <summary>The exact bytes that are signed for a digest at a position.</summary>
    public static byte[] Message(long position, string digest) =>
        Encoding.UTF8.GetBytes($"{MessagePrefix}\n{position.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n{digest}");

    public string Sign(long position, string digest) =>
        Convert.ToBase64String(_key.SignData(Message(position, digest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    /// <summary>ES256 with this key over another signed message: a checkpoint's body (docs/audit.md, "Transparency log").</summary>
    public string Sign(ReadOnlySpan<byte> message) => AgreementLedger.Ledger.Signing.Es256.Sign(_key, message);

    public static bool Verify(byte[] subjectPublicKeyInfo, long position, string digest, string signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        Span<byte> bytes = stackalloc byte[128];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && key.VerifyData(Message(position, digest), bytes[..length], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

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
    public static string Pem(byte[] subjectPublicKeyInfo) => PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo);

    /// <summary>
    /// Every key that verifies kept digests, by key id: the current one first, then the public keys
    /// of signing keys used before a rotation (Ledger:Audit:PreviousPublicKeys), which no longer sign
    /// but keep the digests signed with them checkable. Built once: the verifier looks keys up per digest.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> VerifyingKeys { get; }

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
                if (read != der.Length || !IsP256(key))
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

    public AuditSigningKey WithPreviousPublicKeys(IReadOnlyList<byte[]> previous) => new(_key, Source, previous);

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

            if (!IsP256(key))
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

    private static bool IsP256(ECDsa key) =>
        key.KeySize == 256 && key.ExportParameters(false).Curve is { IsNamed: true, Oid.Value: "1.2.840.10045.3.1.7" };

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

    public void Dispose() => _key.Dispose();
}

/// <summary>What checking a signed digest against a set of keys found.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>No key of the digest's key id is among the keys: never a pass.</summary>
    UnknownKey,

    Invalid,
}
