using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger.Signing;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's three routes (docs/api.md, "Witnesses"), as plain minimal endpoints: the witness is not the
/// ledger, so nothing of Wolverine's discovery runs in it. Not named *Endpoints, so that the service's Wolverine
/// discovery never takes them for its own.
/// </summary>
public static class WitnessRoutes
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/witness/public-key", (CheckpointWitness witness) =>
            TypedResults.Json(new WitnessPublicKey(witness.Key.KeyId, Convert.ToBase64String(witness.Key.PublicKey), Es256.Pem(witness.Key.PublicKey))))
            .WithName("getWitnessPublicKey")
            .WithTags(WitnessOpenApi.Tag)
            .WithSummary("The witness's public key, that its cosignatures verify with")
            .WithDescription("`keyId` (the first 16 hex digits of SHA-256 over the DER SubjectPublicKeyInfo), `publicKey` (that DER, base64) and `pem`.")
            .Produces<WitnessPublicKey>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest, ProblemContentType);

        app.MapGet("/witness/checkpoint", (CheckpointWitness witness, [FromQuery] string? origin) =>
        {
            var state = witness.State;
            return (origin is null ? state.Newest : state.Log(origin)) is { } log
                ? TypedResults.Json(log.Checkpoint with { Cosignatures = [log.Cosignature] })
                : Problems.Result(Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "No checkpoint cosigned yet",
                    origin is null ? "This witness has cosigned no checkpoint yet." : $"This witness has cosigned no checkpoint of '{origin}'."));
        })
            .WithName("getWitnessCheckpoint")
            .WithTags(WitnessOpenApi.Tag)
            .WithSummary("The last checkpoint the witness cosigned, with its cosignature")
            .WithDescription("Of the log named `origin`, else of the log it cosigned last. `/problems/not-found` (404) before the first.")
            .Produces<CheckpointJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest, ProblemContentType)
            .ProducesProblem(StatusCodes.Status404NotFound, ProblemContentType);

        app.MapPost("/witness/checkpoints", async (CheckpointWitness witness, [FromBody] WitnessSubmission body, ILogger<CheckpointWitness> logger, CancellationToken cancellationToken) =>
        {
            var (submission, errors) = CheckedSubmission.From(body);
            if (submission is null)
            {
                return Problems.Result(Problems.Invalid(errors));
            }

            var outcome = await witness.SubmitAsync(submission, cancellationToken);
            WitnessLog.Answered(logger, submission, outcome);
            return WitnessProblems.Answer(outcome);
        })
            .WithName("submitWitnessCheckpoint")
            .WithTags(WitnessOpenApi.Tag)
            .WithSummary("Submit a new checkpoint with the consistency proof from the witness's tree, for its cosignature")
            .WithDescription(
                "200 with the cosignature when `oldSize` is the witness's size and `proof` shows the new tree extends it (`oldSize` 0 with `proof: []` on first contact; " +
                "the same size and root again is 200 again). 400 `/problems/validation` when the body is malformed or `oldSize` exceeds the checkpoint's size; " +
                "403 `/problems/untrusted-checkpoint` when the checkpoint's key is not trusted or its signature fails; 409 `/problems/witness-conflict` with the " +
                "witness's own `treeSize` and `rootHash` when `oldSize` is not its size or it holds another root at that size; 422 `/problems/proof-failed` when the proof fails. " +
                "One submission at a time; the new state is on disk before the answer.")
            .Accepts<WitnessSubmission>("application/json")
            .Produces<CosignatureJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest, ProblemContentType)
            .ProducesProblem(StatusCodes.Status403Forbidden, ProblemContentType)
            .ProducesProblem(StatusCodes.Status409Conflict, ProblemContentType)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge, ProblemContentType)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType, ProblemContentType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity, ProblemContentType);
    }

    private const string ProblemContentType = "application/problem+json";
}
