using AgreementLedger.Audit.Transparency;
using Wolverine.Http;

namespace AgreementLedger.Audit.Digests;

public sealed record PublicKeyView(string KeyId, string Algorithm, string PublicKey, string Pem)
{
    /// <summary>The view of an ES256 key given as DER SubjectPublicKeyInfo: its keyId, base64 and PEM.</summary>
    public static PublicKeyView Of(byte[] subjectPublicKeyInfo) =>
        new(AuditSigningKey.KeyIdOf(subjectPublicKeyInfo), AuditSigningKey.Algorithm, Convert.ToBase64String(subjectPublicKeyInfo), AuditSigningKey.Pem(subjectPublicKeyInfo));
}

public sealed record PublicKeys(IReadOnlyList<PublicKeyView> Keys)
{
    /// <summary>
    /// The configured witnesses' keys (<c>Ledger:Audit:Witnesses:&lt;n&gt;:PublicKey</c>), which verify the cosignatures
    /// <c>GET /audit/checkpoint</c> serves (the web page checks them in the browser). Added beside <c>keys</c>, which stays
    /// as it was; not a constructor member, so the OpenAPI document does not require it of an answer.
    /// </summary>
    public IReadOnlyList<PublicKeyView> Witnesses { get; init; } = [];
}

/// <summary>
/// <c>GET /audit/public-key</c>: the key(s) that verify digest and checkpoint signatures, the signing key first, then
/// those it replaced; and the keys of the witnesses the service submits its checkpoints to.
/// </summary>
public static class GetPublicKeyEndpoint
{
    [WolverineGet("/audit/public-key", OperationId = "getPublicKey")]
    [EndpointSummary("The keys that verify digest and checkpoint signatures, the signing key first, and the configured witnesses' keys")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<PublicKeys>(StatusCodes.Status200OK)]
    public static PublicKeys Get(AuditSigningKey key, WitnessCosigner cosigner) =>
        new([.. key.VerifyingKeys.Values.Select(PublicKeyView.Of)]) { Witnesses = [.. cosigner.Witnesses.Select(w => PublicKeyView.Of(w.PublicKey))] };
}
