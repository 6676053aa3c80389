using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using AgreementLedger.OpenApi;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.TreatyLaw;

[CommandBody]
public sealed record MakeReservation(
    [property: Required] string? Party,
    [property: Required, ValuesFrom(typeof(TreatyRules), nameof(TreatyRules.ReservationKinds))] string? Kind,
    [property: Required] string? Text,
    long? RefersTo,
    DateOnly? OccurredOn);

/// <summary>
/// <c>POST /agreements/{id}/reservations</c>: a reservation or declaration, an objection to one, or the withdrawal of
/// one; <c>refersTo</c> (the version of the <c>reservation_made</c> event meant) is required for the last two, and
/// the one it names must stand where the event falls in effective time.
/// </summary>
public static class MakeReservationEndpoint
{
    public static ProblemDetails Validate(MakeReservation command, TimeProvider clock)
    {
        var checks = new Checks()
            .Pattern("party", command.Party, Conventions.Party(), Conventions.PartyRule, required: true)
            .OneOf("kind", command.Kind, TreatyRules.ReservationKinds, required: true)
            .Text("text", command.Text, required: true, max: Checks.MaxLongText)
            .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock));
        if (command.Kind is TreatyRules.Objection or TreatyRules.Withdrawal && command.RefersTo is null)
        {
            checks.Add("refersTo", $"is required for {command.Kind}: the version of the reservation_made event it refers to");
        }
        else if (command.RefersTo is < 1)
        {
            checks.Add("refersTo", "must be a version (1 or more)");
        }

        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/reservations", OperationId = "makeReservation")]
    [EndpointSummary("A party makes a reservation or declaration, objects to one, or withdraws one (reservation_made)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, MakeReservation command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(MakeReservation command, Agreement agreement, DateOnly today) =>
        command.RefersTo > agreement.Version
            ? Decision.Invalid("refersTo", $"there is no event with version {command.RefersTo} (the agreement is at version {agreement.Version})")
            : agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static ReservationMade Event(MakeReservation command, DateOnly today) =>
        new(command.Party!, command.Kind!, command.Text!, command.RefersTo, command.OccurredOn ?? today);
}
