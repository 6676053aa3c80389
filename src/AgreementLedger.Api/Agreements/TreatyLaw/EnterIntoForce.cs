using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.TreatyLaw;

[CommandBody]
public sealed record EnterIntoForce(DateOnly? OccurredOn, IReadOnlyList<string>? Parties, string? Note);

/// <summary>
/// <c>POST /agreements/{id}/entry-into-force</c>: the agreement enters into force for <c>parties</c> — by default those
/// that, at the event's place in effective time, have consented, are not in force and have not withdrawn. The list is
/// worked out when the command is decided and stored in the event, so a consent recorded later, even one dated
/// before, never puts its party in force: that takes an entry into force of its own.
/// </summary>
public static class EnterIntoForceEndpoint
{
    public static ProblemDetails Validate(EnterIntoForce command, TimeProvider clock) => new Checks()
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Items("parties", command.Parties)
        .Codes("parties", command.Parties, Conventions.Party(), Conventions.PartyRule)
        .Text("note", command.Note)
        .Result();

    [WolverinePost("/agreements/{id}/entry-into-force", OperationId = "enterIntoForce")]
    [EndpointSummary("The agreement enters into force for some or all parties that have consented (entered_into_force)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, EnterIntoForce command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(EnterIntoForce command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, agreement, today));

    /// <summary>The event, its parties worked out on <paramref name="agreement"/> at its place when the command names none.</summary>
    public static EnteredIntoForce Event(EnterIntoForce command, Agreement agreement, DateOnly today)
    {
        var day = command.OccurredOn ?? today;
        return new EnteredIntoForce(day, command.Parties ?? TreatyRules.DefaultParties(agreement.StateOn(day), day), command.Note);
    }
}
