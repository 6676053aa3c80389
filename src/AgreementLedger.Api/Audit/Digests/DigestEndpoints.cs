using AgreementLedger.OpenApi;
using System.Globalization;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.Infrastructure;
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

/// <summary><c>GET /audit/digest?position=</c>: the signed digest of the ledger up to a position.</summary>
public static class GetDigestEndpoint
{
    [ProblemResponse(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, Problems.HistoryDiverged, Description = Transparency.HistoryDivergence.OpenApiDescription)]
    [WolverineGet("/audit/digest", OperationId = "getDigest")]
    [EndpointSummary("The signed digest of the ledger up to a position")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<SignedDigest>(StatusCodes.Status200OK)]
    [ProblemResponse(StatusCodes.Status409Conflict, Problems.LifecycleConflict, Description = "`/problems/lifecycle-conflict`: the position is beyond the newest safe position (\"Position not yet safe\").")]
    public static async Task<IResult> Get(string? position, LedgerDigests digests, HttpContext http)
    {
        long? wanted = null;
        if (position is not null)
        {
            if (!long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Problems.Result(Problems.Invalid("position", "must be a whole number from 0"));
            }

            wanted = parsed;
        }

        var safe = await digests.SafePositionAsync(http.RequestAborted);
        if (wanted > safe)
        {
            return Problems.Result(Problems.Create(StatusCodes.Status409Conflict, Problems.LifecycleConflict, "Position not yet safe",
                $"Position {wanted} is beyond the newest safe position {safe}: events below it may still commit."));
        }

        return TypedResults.Ok(await digests.TakeAsync(wanted ?? safe, http.RequestAborted));
    }
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
