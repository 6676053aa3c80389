using AgreementLedger.Infrastructure;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// While the history has diverged, <c>GET /audit/digest</c>, <c>/audit/checkpoint</c> and <c>/audit/export</c> answer
/// 503 <c>/problems/history-diverged</c> naming the checkpoint (docs/api.md, "Witnesses"): each would otherwise sign,
/// or serve as signed, a history the service or a witness signed otherwise. Each asks the <see cref="HistoryWatch"/>
/// afresh, so a rewrite is refused at the first signing after it, not an interval later. Runs after authentication and the
/// 400 checks; commands and every other read go on.
/// </summary>
public sealed class HistoryDivergedGate(RequestDelegate next, HistoryWatch watch)
{
    public const string RetryAfterSeconds = "3600";

    private static readonly string[] Gated = ["/audit/digest", "/audit/checkpoint", "/audit/export"];

    public async Task InvokeAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) && Gated.Any(path => http.Request.Path.Equals(path, StringComparison.Ordinal))
            && await watch.DivergedAsync(http.RequestAborted) is { } diverged)
        {
            // Every 503 carries Retry-After (the OpenAPI document requires it); an operator's recovery takes far longer.
            http.Response.Headers.RetryAfter = RetryAfterSeconds;
            await Problems.Result(HistoryDivergence.ProblemOf(diverged)).ExecuteAsync(http);
            return;
        }

        await next(http);
    }
}
