using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Suspending;

public sealed record SuspendAgreement(string? Reason, DateOnly? OccurredOn);

public static class SuspendAgreementEndpoint
{
    public static ProblemDetails Validate(SuspendAgreement command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/suspension", OperationId = "suspendAgreement")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, SuspendAgreement command, HttpContext http, IDocumentSession session, TimeProvider clock) =>
        AgreementCommand.Execute(http, session, clock, id, (_, today) => Decide(command, today));

    public static Decision Decide(SuspendAgreement command, DateOnly today) =>
        Decision.Accept(new AgreementSuspended(command.Reason!, command.OccurredOn ?? today));
}
