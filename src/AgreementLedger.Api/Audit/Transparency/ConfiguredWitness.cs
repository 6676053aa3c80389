using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// A witness the service submits its checkpoints to (docs/api.md, "Witnesses"): <c>Ledger:Audit:Witnesses:&lt;n&gt;:Url</c>
/// and <c>…:PublicKey</c> (base64 DER SubjectPublicKeyInfo, obtained from the witness's operator), which checks
/// every cosignature it answers.
/// </summary>
public sealed record ConfiguredWitness(Uri Url, byte[] PublicKey)
{
    public const string Setting = "Ledger:Audit:Witnesses";

    public string KeyId { get; } = Es256.KeyIdOf(PublicKey);

    /// <summary>Every configured witness; an entry without a usable URL or key is a <see cref="StartupException"/> naming it.</summary>
    public static IReadOnlyList<ConfiguredWitness> Read(IConfiguration configuration) =>
        [.. configuration.GetSection(Setting).GetChildren().Select(entry =>
        {
            var name = $"{Setting}:{entry.Key}";
            if (!Uri.TryCreate(entry["Url"], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new StartupException($"{name}:Url must be the absolute http(s) address of a witness (e.g. https://witness.example.org/).");
            }

            if (entry["PublicKey"] is not { Length: > 0 } text || !Es256.TryParsePublicKey(text, out var key))
            {
                throw new StartupException($"{name}:PublicKey must be the witness's public key as base64 DER SubjectPublicKeyInfo (the publicKey of its GET /witness/public-key).");
            }

            return new ConfiguredWitness(url, key);
        })];
}
