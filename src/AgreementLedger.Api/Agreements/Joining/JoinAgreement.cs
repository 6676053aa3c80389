using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Joining;

[CommandBody]
public sealed record JoinAgreement([property: Required] string? Party, DateOnly? OccurredOn);

public static class JoinAgreementEndpoint
{
    public static ProblemDetails Validate(JoinAgreement command, TimeProvider clock) => new Checks()
        .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/parties", OperationId = "joinAgreement")]

    [EndpointSummary("A party joins (party_joined)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, JoinAgreement command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(JoinAgreement command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static PartyJoined Event(JoinAgreement command, DateOnly today) =>
        new(command.Party!, command.OccurredOn ?? today);
}
