using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Planning;

[CommandBody]
public sealed record PlanDeliverable([property: Required] string? DeliverableId, [property: Required] string? Name, DateOnly? DueBy, DateOnly? OccurredOn);

public static class PlanDeliverableEndpoint
{
    public static ProblemDetails Validate(PlanDeliverable command, TimeProvider clock) => new Checks()
        .Pattern("deliverableId", command.DeliverableId, Conventions.DeliverableId(), "must be 1 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit", required: true)
        .Text("name", command.Name, required: true, max: 300)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/deliverables", OperationId = "planDeliverable")]

    [EndpointSummary("Plan a deliverable (deliverable_planned)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, PlanDeliverable command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(PlanDeliverable command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static DeliverablePlanned Event(PlanDeliverable command, DateOnly today) =>
        new(command.DeliverableId!, command.Name!, command.DueBy, command.OccurredOn ?? today);
}
