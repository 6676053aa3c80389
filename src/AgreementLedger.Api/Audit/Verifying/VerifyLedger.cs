using AgreementLedger.Ledger;
using AgreementLedger.OpenApi;
using AgreementLedger.Infrastructure;
using Wolverine.Http;

namespace AgreementLedger.Audit.Verifying;

/// <summary><c>GET /audit/verify[?agreementId=]</c>: every chain recomputed from what is stored.</summary>
public static class VerifyLedgerEndpoint
{
    [WolverineGet("/audit/verify", OperationId = "verifyLedger")]
    [EndpointSummary("Recompute every hash chain and kept digest from what is stored")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<VerificationReport>(StatusCodes.Status200OK)]
    [ProblemResponse(StatusCodes.Status404NotFound, Problems.NotFound)]
    public static async Task<IResult> Get(string? agreementId, LedgerVerifier verifier, HttpContext http)
    {
        var checks = new Checks().Pattern("agreementId", agreementId, AgreementIds.Pattern(), AgreementIds.Rule);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var report = await verifier.VerifyAsync(agreementId, http.RequestAborted);
        if (agreementId is not null && report.StreamsChecked == 0 && report.Failures.Count == 0)
        {
            return Problems.Result(Problems.AgreementNotFound(agreementId));
        }

        return TypedResults.Ok(report);
    }
}
