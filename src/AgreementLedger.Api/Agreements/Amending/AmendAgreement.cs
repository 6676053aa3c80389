using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Amending;

[CommandBody]
public sealed record AmendAgreement([property: Required] string? Summary, DateOnly? OccurredOn);

public static class AmendAgreementEndpoint
{
    public static ProblemDetails Validate(AmendAgreement command, TimeProvider clock) => new Checks()
        .Text("summary", command.Summary, required: true, max: Checks.MaxLongText)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/amendments", OperationId = "amendAgreement")]

    [EndpointSummary("Amend an agreement (agreement_amended)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, AmendAgreement command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(AmendAgreement command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static AgreementAmended Event(AmendAgreement command, DateOnly today) =>
        new(command.Summary!, command.OccurredOn ?? today);
}
