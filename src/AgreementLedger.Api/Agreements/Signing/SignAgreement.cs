using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Signing;

[CommandBody]
public sealed record SignAgreement([property: Required] string? Party, DateOnly? OccurredOn, string? SignedBy, string? Place);

public static class SignAgreementEndpoint
{
    public static ProblemDetails Validate(SignAgreement command, TimeProvider clock) => new Checks()
        .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Text("signedBy", command.SignedBy, max: 300)
        .Text("place", command.Place, max: 300)
        .Result();

    [WolverinePost("/agreements/{id}/signatures", OperationId = "signAgreement")]

    [EndpointSummary("A party signs (party_signed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, SignAgreement command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    /// <summary>Whether the party may sign (is a party, has not signed, the stage allows it) is the lifecycle's call.</summary>
    public static Decision Decide(SignAgreement command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static PartySigned Event(SignAgreement command, DateOnly today) =>
        new(command.Party!, command.OccurredOn ?? today, command.SignedBy, command.Place);
}
