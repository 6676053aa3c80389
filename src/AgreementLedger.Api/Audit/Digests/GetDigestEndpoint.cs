using AgreementLedger.OpenApi;
using System.Globalization;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.Infrastructure;
using Wolverine.Http;

namespace AgreementLedger.Audit.Digests;

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
