using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using Wolverine.Http;

namespace AgreementLedger.Audit.Transparency;

/// <summary><c>GET /audit/checkpoint[?treeSize=]</c>: the newest published checkpoint, or the one of a size.</summary>
public static class GetCheckpointEndpoint
{
    [ProblemResponse(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, Problems.HistoryDiverged, Description = HistoryDivergence.OpenApiDescription)]
    [WolverineGet("/audit/checkpoint", OperationId = "getCheckpoint")]
    [EndpointSummary("The newest published signed checkpoint of the Merkle tree, or the one of a tree size")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Checkpoint>(StatusCodes.Status200OK)]
    [ProblemResponse(StatusCodes.Status409Conflict, Problems.LifecycleConflict, Description = "`/problems/lifecycle-conflict`: the tree size is beyond the tree's (\"Not yet in the tree\", with `Retry-After`).")]
    public static async Task<IResult> Get(string? treeSize, CheckpointLog log, HttpContext http)
    {
        if (!TransparencyQuery.TryParse("treeSize", treeSize, out var size, out var invalid))
        {
            return invalid!;
        }

        if (size is not { } wanted)
        {
            return TypedResults.Ok(await log.NewestAsync(http.RequestAborted));
        }

        var current = log.TreeSizeAsync(http.RequestAborted);
        return await log.AtSizeWithinAsync(wanted, current, http.RequestAborted) is { } checkpoint
            ? TypedResults.Ok(checkpoint)
            : TransparencyQuery.NotYet(http, $"The tree holds {await current} events; a checkpoint of size {wanted} can be signed once it holds that many.");
    }
}
