using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.TreatyLaw;

[CommandBody]
public sealed record Denounce([property: Required] string? Party, DateOnly? OccurredOn, DateOnly? EffectiveOn, string? Note);

/// <summary>
/// <c>POST /agreements/{id}/denunciations</c>: a party that has consented withdraws; it stays in force for the party
/// until <c>effectiveOn</c> (default: the same day as <c>occurredOn</c>), which may lie in the future.
/// </summary>
public static class DenounceEndpoint
{
    public static ProblemDetails Validate(Denounce command, TimeProvider clock)
    {
        var today = Conventions.Today(clock);
        var checks = new Checks()
            .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
            .NotInFuture("occurredOn", command.OccurredOn, today)
            .Text("note", command.Note);
        var occurred = command.OccurredOn ?? today;
        if (command.EffectiveOn < occurred)
        {
            checks.Add("effectiveOn", $"must not be before occurredOn ({occurred:yyyy-MM-dd})");
        }

        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/denunciations", OperationId = "denounceAgreement")]
    [EndpointSummary("A party withdraws from the agreement, taking effect on effectiveOn (party_withdrew)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, Denounce command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(Denounce command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static PartyWithdrew Event(Denounce command, DateOnly today)
    {
        var day = command.OccurredOn ?? today;
        return new PartyWithdrew(command.Party!, day, command.EffectiveOn ?? day, command.Note);
    }
}
