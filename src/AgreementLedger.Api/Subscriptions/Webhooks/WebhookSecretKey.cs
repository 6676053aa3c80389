using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Infrastructure;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// The AES-256-GCM key that webhook secrets are stored under (Ledger:Webhooks:SecretKey, base64 of 32
/// bytes, the same on every node), so that a reader of the database alone cannot sign a delivery.
/// Each sealed secret is bound to its subscription's id (associated data): copied onto another row,
/// it does not open. In Development without a configured key, one is generated once and kept in a
/// file (mode 0600) beside the embedded database; anywhere else a missing key refuses the start.
/// </summary>
public sealed class WebhookSecretKey
{
    public const string Setting = "Ledger:Webhooks:SecretKey";
    public const string FileName = "webhook-secret-key";
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    private WebhookSecretKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..8];
    }

    /// <summary>A short fingerprint of the key (not of any secret), stored beside each sealed secret to tell a changed key from a damaged value.</summary>
    public string KeyId { get; }

    /// <summary>Where the key came from, for the start-up log.</summary>
    public string Source { get; }

    public static WebhookSecretKey Load(string? configured, string? developmentKeyFile, bool isDevelopment, string environmentName)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new WebhookSecretKey(Decode(configured, $"{Setting} (Ledger__Webhooks__SecretKey)"), $"configuration ({Setting})");
        }

        if (!isDevelopment || developmentKeyFile is null)
        {
            throw new StartupException(
                $"{Setting} (environment variable Ledger__Webhooks__SecretKey) is not set: webhook secrets are stored encrypted with it, " +
                $"so every node needs the same key. Make one with: openssl rand -base64 32. Only Development runs without it; this is '{environmentName}'.");
        }

        if (File.Exists(developmentKeyFile))
        {
            return new WebhookSecretKey(Decode(File.ReadAllText(developmentKeyFile), developmentKeyFile), developmentKeyFile);
        }

        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(developmentKeyFile)!);
        Infrastructure.SecretFile.Write(developmentKeyFile, Encoding.ASCII.GetBytes(Convert.ToBase64String(key)), FileMode.CreateNew);

        return new WebhookSecretKey(key, developmentKeyFile + " (generated)");
    }

    private static byte[] Decode(string base64, string where)
    {
        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var length))
        {
            throw new StartupException($"{where} is not base64: it must be 32 random bytes in base64 (openssl rand -base64 32).");
        }

        return length == 32
            ? buffer[..32]
            : throw new StartupException($"{where} decodes to {length} bytes: it must be exactly 32 random bytes in base64 (openssl rand -base64 32).");
    }

    /// <summary>The stored form of a subscription's secret: <c>v1.&lt;key id&gt;.&lt;base64 nonce|ciphertext|tag&gt;</c>.</summary>
    public string Seal(string subscriptionId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(subscriptionId));
        return $"{Version}.{KeyId}.{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The secret, or null with the reason in words (never the value) when it does not open under this key.</summary>
    public string? Open(string subscriptionId, string stored, out string? failure)
    {
        failure = null;
        var parts = stored.Split('.');
        if (parts is not [Version, var keyId, var payload])
        {
            failure = "the stored secret is not in a known sealed form";
            return null;
        }

        if (keyId != KeyId)
        {
            failure = $"the secret was sealed under another {Setting} (key {keyId}; this node has {KeyId})";
            return null;
        }

        try
        {
            var sealedBytes = Convert.FromBase64String(payload);
            var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain, AssociatedData(subscriptionId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or OverflowException or ArgumentException)
        {
            failure = "the stored secret does not open under this key (altered, or copied from another subscription)";
            return null;
        }
    }

    private static byte[] AssociatedData(string subscriptionId) => Encoding.UTF8.GetBytes("agreement-ledger/webhook-secret/v1\n" + subscriptionId);
}
