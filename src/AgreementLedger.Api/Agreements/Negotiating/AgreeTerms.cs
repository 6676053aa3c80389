using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Negotiating;

[CommandBody]
public sealed record AgreeTerms(DateOnly? OccurredOn, string? Summary);

public static class AgreeTermsEndpoint
{
    public static ProblemDetails Validate(AgreeTerms command, TimeProvider clock) => new Checks()
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Text("summary", command.Summary, max: Checks.MaxLongText)
        .Result();

    [WolverinePost("/agreements/{id}/terms-agreed", OperationId = "agreeTerms")]

    [EndpointSummary("Terms agreed (terms_agreed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, AgreeTerms command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(AgreeTerms command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static TermsAgreed Event(AgreeTerms command, DateOnly today) =>
        new(command.OccurredOn ?? today, command.Summary);
}
