using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Delivering;

[CommandBody]
public sealed record RecordDelivery([property: Required] string? DeliverableId, DateOnly? OccurredOn, string? Note);

public static class RecordDeliveryEndpoint
{
    public static ProblemDetails Validate(RecordDelivery command, TimeProvider clock) => new Checks()
        .Pattern("deliverableId", command.DeliverableId, Conventions.DeliverableId(), "must be 1 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit", required: true)
        .Text("note", command.Note)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/deliveries", OperationId = "recordDelivery")]

    [EndpointSummary("Record the delivery of a planned deliverable (deliverable_delivered)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, RecordDelivery command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(RecordDelivery command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static DeliverableDelivered Event(RecordDelivery command, DateOnly today) =>
        new(command.DeliverableId!, command.OccurredOn ?? today, command.Note);
}
