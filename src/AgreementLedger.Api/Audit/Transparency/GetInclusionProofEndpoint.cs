using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
using Wolverine.Http;

namespace AgreementLedger.Audit.Transparency;

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
