using AgreementLedger.OpenApi;
using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Targeting;

[CommandBody]
public sealed record SetTarget([property: Required, ValuesFrom(typeof(Lifecycle), nameof(Lifecycle.Milestones))] string? Milestone, [property: Required] DateOnly? TargetDate, string? Note, DateOnly? OccurredOn);

public static class SetTargetEndpoint
{
    public static ProblemDetails Validate(SetTarget command, TimeProvider clock) => new Checks()
        .OneOf("milestone", command.Milestone, Lifecycle.Milestones, required: true)
        .Required("targetDate", command.TargetDate)
        .Text("note", command.Note)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/targets", OperationId = "setTarget")]

    [EndpointSummary("Set a target date for a milestone (target_set)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, SetTarget command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(SetTarget command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static TargetSet Event(SetTarget command, DateOnly today) =>
        new(command.Milestone!, command.TargetDate!.Value, command.Note, command.OccurredOn ?? today);
}
