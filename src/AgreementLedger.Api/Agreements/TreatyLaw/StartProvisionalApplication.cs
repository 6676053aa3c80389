using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.TreatyLaw;

[CommandBody]
public sealed record StartProvisionalApplication([property: Required] string? Party, DateOnly? OccurredOn, string? Note);

/// <summary><c>POST /agreements/{id}/provisional-application</c>: a signatory applies the agreement before it is in force for it.</summary>
public static class StartProvisionalApplicationEndpoint
{
    public static ProblemDetails Validate(StartProvisionalApplication command, TimeProvider clock) => new Checks()
        .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Text("note", command.Note)
        .Result();

    [WolverinePost("/agreements/{id}/provisional-application", OperationId = "startProvisionalApplication")]
    [EndpointSummary("A signatory starts applying the agreement provisionally (provisional_application_started)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, StartProvisionalApplication command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(StartProvisionalApplication command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static ProvisionalApplicationStarted Event(StartProvisionalApplication command, DateOnly today) =>
        new(command.Party!, command.OccurredOn ?? today, command.Note);
}
