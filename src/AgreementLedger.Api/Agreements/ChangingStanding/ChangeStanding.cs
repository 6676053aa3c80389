using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.ChangingStanding;

/// <summary>The body of a suspension, resumption, termination or withdrawal.</summary>
public sealed record ChangeStanding(string? Reason, DateOnly? OccurredOn);

/// <summary>
/// <c>POST /agreements/{id}/suspension</c>, <c>/resumption</c>, <c>/termination</c> and
/// <c>/withdrawal</c>: one body, one event each; which stages allow them is the lifecycle's call.
/// </summary>
public static class ChangeStandingEndpoint
{
    public const string Changes = "suspension|resumption|termination|withdrawal";

    public static ProblemDetails Validate(ChangeStanding command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/{change:regex(^(" + Changes + ")\\z)}", OperationId = "changeStanding")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, string change, ChangeStanding command, HttpContext http, IDocumentSession session, TimeProvider clock) =>
        AgreementCommand.Execute(http, session, clock, id, (_, today) => Decide(change, command, today));

    public static Decision Decide(string change, ChangeStanding command, DateOnly today)
    {
        var reason = command.Reason!;
        var day = command.OccurredOn ?? today;
        // Route matching ignores case, as it does for every literal route.
        return Decision.Accept(change.ToLowerInvariant() switch
        {
            "suspension" => new AgreementSuspended(reason, day),
            "resumption" => new AgreementResumed(reason, day),
            "termination" => new AgreementTerminated(reason, day),
            "withdrawal" => new AgreementWithdrawn(reason, day),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "The route admits only " + Changes),
        });
    }
}
