using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Terminating;

public sealed record TerminateAgreement(string? Reason, DateOnly? OccurredOn);

public static class TerminateAgreementEndpoint
{
    public static ProblemDetails Validate(TerminateAgreement command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/termination", OperationId = "terminateAgreement")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, TerminateAgreement command, HttpContext http, IDocumentSession session, TimeProvider clock) =>
        AgreementCommand.Execute(http, session, clock, id, (_, today) => Decide(command, today));

    public static Decision Decide(TerminateAgreement command, DateOnly today) =>
        Decision.Accept(new AgreementTerminated(command.Reason!, command.OccurredOn ?? today));
}
