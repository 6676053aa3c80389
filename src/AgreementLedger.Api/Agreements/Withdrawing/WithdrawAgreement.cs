using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Withdrawing;

public sealed record WithdrawAgreement(string? Reason, DateOnly? OccurredOn);

public static class WithdrawAgreementEndpoint
{
    public static ProblemDetails Validate(WithdrawAgreement command, TimeProvider clock) => new Checks()
        .Text("reason", command.Reason, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Result();

    [WolverinePost("/agreements/{id}/withdrawal", OperationId = "withdrawAgreement")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, WithdrawAgreement command, HttpContext http, IDocumentSession session, TimeProvider clock) =>
        AgreementCommand.Execute(http, session, clock, id, (_, today) => Decide(command, today));

    public static Decision Decide(WithdrawAgreement command, DateOnly today) =>
        Decision.Accept(new AgreementWithdrawn(command.Reason!, command.OccurredOn ?? today));
}
