using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.ChangingStanding;

/// <summary>The body of a suspension, resumption, termination or withdrawal.</summary>
[CommandBody]
public sealed record ChangeStanding([property: Required] string? Reason, DateOnly? OccurredOn);

/// <summary>Which standing a change records: one route and one event each.</summary>
public enum Standing
{
    Suspension,
    Resumption,
    Termination,
    Withdrawal,
}

/// <summary>
/// <c>POST /agreements/{id}/suspension</c>, <c>/resumption</c>, <c>/termination</c> and
/// <c>/withdrawal</c>: one body, one event each; which stages allow them is the lifecycle's call.
/// Four routes (and four operations in the OpenAPI document, so that a generated client has a
/// method for each), one decision.
/// </summary>
public static class ChangeStandingEndpoint
{
    public static ProblemDetails Validate(ChangeStanding command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/suspension", OperationId = "suspendAgreement")]
    [EndpointSummary("Suspend a signed agreement (agreement_suspended)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Suspend(string id, ChangeStanding command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(Standing.Suspension, command, agreement, write.Today));

    [WolverinePost("/agreements/{id}/resumption", OperationId = "resumeAgreement")]
    [EndpointSummary("Resume a suspended agreement (agreement_resumed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Resume(string id, ChangeStanding command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(Standing.Resumption, command, agreement, write.Today));

    [WolverinePost("/agreements/{id}/termination", OperationId = "terminateAgreement")]
    [EndpointSummary("Terminate an agreement (agreement_terminated)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Terminate(string id, ChangeStanding command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(Standing.Termination, command, agreement, write.Today));

    [WolverinePost("/agreements/{id}/withdrawal", OperationId = "withdrawAgreement")]
    [EndpointSummary("Withdraw an agreement that was never signed (agreement_withdrawn)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Withdraw(string id, ChangeStanding command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(Standing.Withdrawal, command, agreement, write.Today));

    public static Decision Decide(Standing standing, ChangeStanding command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(standing, command, today));

    /// <summary>The event the change records, its defaults applied (also a correction's replacement).</summary>
    public static IAgreementEvent Event(Standing standing, ChangeStanding command, DateOnly today)
    {
        var reason = command.Reason!;
        var day = command.OccurredOn ?? today;
        return standing switch
        {
            Standing.Suspension => new AgreementSuspended(reason, day),
            Standing.Resumption => new AgreementResumed(reason, day),
            Standing.Termination => new AgreementTerminated(reason, day),
            Standing.Withdrawal => new AgreementWithdrawn(reason, day),
            _ => throw new ArgumentOutOfRangeException(nameof(standing), standing, "Not a standing change"),
        };
    }
}
