using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using AgreementLedger.Ledger.Merkle.Stored;
using Wolverine.Http;

namespace AgreementLedger.Audit.Transparency;

/// <summary><c>GET /audit/proofs/consistency?from=&amp;to=</c>: that the tree of size <c>to</c> extends the tree of size <c>from</c>.</summary>
public static class GetConsistencyProofEndpoint
{
    [WolverineGet("/audit/proofs/consistency", OperationId = "getConsistencyProof")]
    [EndpointSummary("The RFC 9162 consistency proof between two tree sizes")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<ConsistencyProof>(StatusCodes.Status200OK)]
    [ProblemResponse(StatusCodes.Status409Conflict, Problems.LifecycleConflict, Description = "`/problems/lifecycle-conflict`: `to` is beyond the tree's size (\"Not yet in the tree\", with `Retry-After`).")]
    public static async Task<IResult> Get(string? from, string? to, MerkleStore tree, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!TransparencyQuery.TryParse("from", from, out var fromSize, out var invalid) || !TransparencyQuery.TryParse("to", to, out var toSize, out invalid))
        {
            return invalid!;
        }

        if (fromSize is not { } m)
        {
            return TransparencyQuery.Required("from");
        }

        if (toSize is not { } n)
        {
            return TransparencyQuery.Required("to");
        }

        if (m > n)
        {
            return Problems.Result(Problems.Invalid("from", $"must be at most `to` ({n}): a tree is consistent only with the smaller trees it extends"));
        }

        var current = (await tree.HeadAsync(null, null, ct)).Size;
        if (n > current)
        {
            return TransparencyQuery.NotYet(http, $"The tree holds {current} events; a proof to size {n} can be given once it holds that many.");
        }

        return TypedResults.Ok(await StoredConsistencyProof.ReadAsync(tree, m, n, ct));
    }
}
