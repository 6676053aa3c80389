using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Resuming;

public sealed record ResumeAgreement(string? Reason, DateOnly? OccurredOn);

public static class ResumeAgreementEndpoint
{
    public static ProblemDetails Validate(ResumeAgreement command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/resumption", OperationId = "resumeAgreement")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, ResumeAgreement command, HttpContext http, IDocumentSession session, TimeProvider clock) =>
        AgreementCommand.Execute(http, session, clock, id, (_, today) => Decide(command, today));

    public static Decision Decide(ResumeAgreement command, DateOnly today) =>
        Decision.Accept(new AgreementResumed(command.Reason!, command.OccurredOn ?? today));
}
