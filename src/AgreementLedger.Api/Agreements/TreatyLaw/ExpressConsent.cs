using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.TreatyLaw;

[CommandBody]
public sealed record ExpressConsent(
    [property: Required] string? Party,
    [property: Required, ValuesFrom(typeof(TreatyRules), nameof(TreatyRules.Instruments))] string? Instrument,
    DateOnly? OccurredOn, string? Depositary, string? SignedBy, string? Place, string? Note);

/// <summary><c>POST /agreements/{id}/consents</c>: a party's instrument of consent to be bound (which instruments need a signature first is <see cref="TreatyRules"/>'s call).</summary>
public static class ExpressConsentEndpoint
{
    public static ProblemDetails Validate(ExpressConsent command, TimeProvider clock) => new Checks()
        .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
        .OneOf("instrument", command.Instrument, TreatyRules.Instruments, required: true)
        .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock))
        .Text("depositary", command.Depositary, max: 300)
        .Text("signedBy", command.SignedBy, max: 300)
        .Text("place", command.Place, max: 300)
        .Text("note", command.Note)
        .Result();

    [WolverinePost("/agreements/{id}/consents", OperationId = "expressConsent")]
    [EndpointSummary("A party consents to be bound: ratification, acceptance, approval, accession, definitive signature or succession (consent_expressed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, ExpressConsent command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(ExpressConsent command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static ConsentExpressed Event(ExpressConsent command, DateOnly today) =>
        new(command.Party!, command.Instrument!, command.OccurredOn ?? today, command.Depositary, command.SignedBy, command.Place, command.Note);
}
