using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
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

        var current = await log.TreeSizeAsync(http.RequestAborted);
        return wanted > current
            ? TransparencyQuery.NotYet(http, $"The tree holds {current} events; a checkpoint of size {wanted} can be signed once it holds that many.")
            : TypedResults.Ok(await log.AtSizeAsync(wanted, http.RequestAborted));
    }
}

/// <summary><c>GET /audit/proofs/inclusion?position=&amp;treeSize=</c>: the audit path of one event's leaf.</summary>
public static class GetInclusionProofEndpoint
{
    [WolverineGet("/audit/proofs/inclusion", OperationId = "getInclusionProof")]
    [EndpointSummary("The RFC 9162 inclusion proof of the event at a position in a tree size")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<InclusionProof>(StatusCodes.Status200OK)]
    [ProblemResponse(StatusCodes.Status404NotFound, Problems.NotFound, Description = "`/problems/not-found`: no event has that position.")]
    [ProblemResponse(StatusCodes.Status409Conflict, Problems.LifecycleConflict, Description = "`/problems/lifecycle-conflict`: the event is not in the tree yet, or beyond the newest checkpoint, or `treeSize` is beyond the tree's (\"Not yet in the tree\", with `Retry-After`).")]
    public static async Task<IResult> Get(string? position, string? treeSize, MerkleStore tree, CheckpointLog log, StoredEventReader stored, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!TransparencyQuery.TryParse("position", position, out var at, out var invalid) || !TransparencyQuery.TryParse("treeSize", treeSize, out var size, out invalid))
        {
            return invalid!;
        }

        if (at is not { } wanted)
        {
            return TransparencyQuery.Required("position");
        }

        if (await stored.CountAsync(new EventQuery { Positions = [wanted], WithData = false }, null, null, ct) == 0)
        {
            return Problems.Result(Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "No such event", $"No event has position {wanted}."));
        }

        var leaf = await tree.LeafAtAsync(wanted, ct);
        var current = (await tree.HeadAsync(null, null, ct)).Size;
        long proofSize;
        if (size is { } given)
        {
            if ((leaf ?? current) >= given && given <= current)
            {
                return Problems.Result(Problems.Invalid("treeSize", $"must be above the event's leaf index{(leaf is { } l ? $" ({l})" : "")}: a tree of {given} does not hold it"));
            }

            if (given > current || leaf is null)
            {
                return TransparencyQuery.NotYet(http, $"The tree holds {current} events; a tree of {given} will hold the event at position {wanted} soon.");
            }

            proofSize = given;
        }
        else
        {
            // Only the newest checkpoint's size is needed: the kept one's (one query), else that of the first, published now.
            proofSize = await log.NewestKeptSizeAsync(ct) ?? (await log.NewestAsync(ct)).TreeSize;
            if (leaf is null || leaf >= proofSize)
            {
                return TransparencyQuery.NotYet(http, $"The event at position {wanted} is not yet in the newest checkpoint (tree size {proofSize}); it will be in a later one.");
            }
        }

        var index = leaf.Value;
        var path = MerkleTree.InclusionPath(index, proofSize);
        var root = MerkleTree.Root(proofSize);
        var read = await tree.ReadAsync([.. path, root], [index], null, null, ct);
        return TypedResults.Ok(new InclusionProof(
            wanted, index, proofSize, CheckpointLog.Hex(read.Node(new MerkleNodeId(0, index))), CheckpointLog.Hex(read.Hash(root)),
            [.. path.Select(range => CheckpointLog.Hex(read.Hash(range)))]));
    }
}

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
