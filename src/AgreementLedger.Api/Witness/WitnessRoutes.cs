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
            TypedResults.Json(new WitnessPublicKey(witness.Key.KeyId, Convert.ToBase64String(witness.Key.PublicKey), Es256.Pem(witness.Key.PublicKey))));

        app.MapGet("/witness/checkpoint", (CheckpointWitness witness, [FromQuery] string? origin) =>
        {
            var state = witness.State;
            return (origin is null ? state.Newest : state.Log(origin)) is { } log
                ? TypedResults.Json(log.Checkpoint with { Cosignatures = [log.Cosignature] })
                : Problems.Result(Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "No checkpoint cosigned yet",
                    origin is null ? "This witness has cosigned no checkpoint yet." : $"This witness has cosigned no checkpoint of '{origin}'."));
        });

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
        });
    }
}
