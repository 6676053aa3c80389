using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Negotiating;

[CommandBody]
public sealed record HoldNegotiationRound(DateOnly? OccurredOn, string? Location, IReadOnlyList<string>? Participants, string? Summary);

public static class HoldNegotiationRoundEndpoint
{
    public static ProblemDetails Validate(HoldNegotiationRound command, TimeProvider clock)
    {
        var checks = new Checks()
            .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
            .Text("location", command.Location, max: 300)
            .Text("summary", command.Summary, max: Checks.MaxLongText)
            .Items("participants", command.Participants);
        for (var i = 0; i < (command.Participants?.Count ?? 0); i++)
        {
            checks.Text($"participants[{i}]", command.Participants![i], required: true, max: 300);
        }

        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/negotiation-rounds", OperationId = "holdNegotiationRound")]

    [EndpointSummary("Record a negotiation round (negotiation_round_held)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, HoldNegotiationRound command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(HoldNegotiationRound command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static NegotiationRoundHeld Event(HoldNegotiationRound command, DateOnly today) =>
        new(command.OccurredOn ?? today, command.Location, command.Participants ?? [], command.Summary);
}
