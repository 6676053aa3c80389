using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Correcting;

/// <summary>
/// Replace the event at <c>version</c> with <c>replacement</c>: <c>{ type, …the body of that type's command }</c>.
/// The C# member is not called Version: Wolverine reads any member of that name as the stream's expected version.
/// </summary>
[CommandBody]
public sealed record CorrectEvent(
    [property: JsonPropertyName("version"), Required] long? EventVersion,
    [property: Required] string? Reason,
    [property: Required] JsonElement? Replacement);

/// <summary>
/// <c>POST /agreements/{id}/corrections</c>: the retraction and the replacement in one transaction (one
/// Idempotency-Key, one If-Match), judged together: the history with the event left out and the replacement placed
/// at its occurredOn must be one the lifecycle allows. So a signature that later funding depends on can be re-dated,
/// which a retraction followed by a new signature cannot (the retraction alone would break at the funding).
/// </summary>
public static class CorrectEventEndpoint
{
    public static ProblemDetails Validate(CorrectEvent command, TimeProvider clock, HttpContext http)
    {
        var checks = new Checks()
            .Required("version", command.EventVersion)
            .Text("reason", command.Reason, required: true)
            .Required("replacement", command.Replacement);
        if (command.Replacement is not { } replacement)
        {
            return checks.Result();
        }

        var (_, errors) = CorrectionReplacements.Read(replacement, clock, Options(http));
        foreach (var (field, messages) in errors)
        {
            foreach (var message in messages)
            {
                checks.Add(field, message);
            }
        }

        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/corrections", OperationId = "correctEvent")]
    [EndpointSummary("Correct an event: its retraction and its replacement in one step (event_retracted, then the replacement)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, CorrectEvent command, HttpContext http, [NotBody] AgreementWrite write, TimeProvider clock)
    {
        // Validate has read it already: read again, it cannot fail.
        var (replacement, _) = CorrectionReplacements.Read(command.Replacement!.Value, clock, Options(http));
        return write.CommitAsync(agreement => Decide(command.EventVersion!.Value, command.Reason!, replacement!.Event(write.Today), agreement));
    }

    /// <summary>
    /// Whether the event at <paramref name="version"/> may be replaced by <paramref name="replacement"/>: it must be
    /// one a retraction may name (400 when there is none; 409 for the proposal, a retraction or a retracted event),
    /// the replacement not dated before the proposal (400), and the corrected history one the lifecycle allows
    /// (409, naming the first event that would break).
    /// </summary>
    public static Decision Decide(long version, string reason, IAgreementEvent replacement, Agreement agreement)
    {
        if (version == 1)
        {
            const string Proposal = "the proposal (version 1) cannot be corrected: amend or withdraw the agreement instead";
            return Decision.Conflict(LifecycleConflict.Target(RuleCodes.ProposalNotCorrectable, Proposal, version, "The proposal (version 1) cannot be corrected: amend or withdraw the agreement instead."));
        }

        switch (agreement.TargetRefusal(version, "corrected"))
        {
            case (400, _, var reason400):
                return Decision.Invalid("version", reason400);
            case (_, var rule, var refused):
                return Decision.Conflict(LifecycleConflict.Target(rule, refused, version, $"The event cannot be corrected: {refused}."));
        }

        if (replacement.OccurredOn < agreement.ProposedOn)
        {
            return Decision.Invalid("replacement.occurredOn", $"must not be before the proposal's occurredOn ({agreement.ProposedOn:yyyy-MM-dd})");
        }

        // The replacement is appended after the retraction: its version is two past the agreement's.
        var corrected = (IAgreementEvent)((CorrectableEvent)replacement with { Corrects = version });
        var facts = agreement.KnownFacts.RemoveAll(f => f.Version == version).Add(new LifecycleFact(agreement.Version + 2, corrected));
        return Lifecycle.Replay(facts).Break is { } broken
            ? Decision.Conflict(LifecycleConflict.Breaking($"Correcting event {version} this way", broken, Agreement.Explain(broken, () => facts), agreement.Version, "version", "replacement."))
            : Decision.Accept(new EventRetracted(version, reason), corrected);
    }

    private static JsonSerializerOptions Options(HttpContext http) =>
        http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
}

/// <summary>A replacement read from its body: the command it is shaped as, and the event that command records.</summary>
public sealed class CorrectionReplacement(object command, Func<object, DateOnly, IAgreementEvent> toEvent)
{
    public object Command { get; } = command;

    /// <summary>The replacement event, its defaults applied as its own command applies them (occurredOn: today).</summary>
    public IAgreementEvent Event(DateOnly today) => toEvent(Command, today);
}

/// <summary>
/// The events a correction may put in place of another, each shaped, checked and turned into its event by the
/// command that records it on its own: the proposal cannot be one (an agreement is proposed once), nor a retraction,
/// nor (in this version) an entry into force, whose default parties would have to be worked out on the corrected history.
/// </summary>
public static class CorrectionReplacements
{
    private sealed record Kind(Type Command, Func<object, TimeProvider, ProblemDetails> Validate, Func<object, DateOnly, IAgreementEvent> ToEvent);

    private static readonly Dictionary<string, Kind> Kinds = new(StringComparer.Ordinal)
    {
        [EventTypeNames.NegotiationRoundHeld] = Of<Negotiating.HoldNegotiationRound>(Negotiating.HoldNegotiationRoundEndpoint.Validate, Negotiating.HoldNegotiationRoundEndpoint.Event),
        [EventTypeNames.TermsAgreed] = Of<Negotiating.AgreeTerms>(Negotiating.AgreeTermsEndpoint.Validate, Negotiating.AgreeTermsEndpoint.Event),
        [EventTypeNames.PartySigned] = Of<Signing.SignAgreement>(Signing.SignAgreementEndpoint.Validate, Signing.SignAgreementEndpoint.Event),
        [EventTypeNames.PartyJoined] = Of<Joining.JoinAgreement>(Joining.JoinAgreementEndpoint.Validate, Joining.JoinAgreementEndpoint.Event),
        [EventTypeNames.DeliverablePlanned] = Of<Planning.PlanDeliverable>(Planning.PlanDeliverableEndpoint.Validate, Planning.PlanDeliverableEndpoint.Event),
        [EventTypeNames.FundingCommitted] = Of<Committing.CommitFunding>(Committing.CommitFundingEndpoint.Validate, Committing.CommitFundingEndpoint.Event),
        [EventTypeNames.DeliverableDelivered] = Of<Delivering.RecordDelivery>(Delivering.RecordDeliveryEndpoint.Validate, Delivering.RecordDeliveryEndpoint.Event),
        [EventTypeNames.TargetSet] = Of<Targeting.SetTarget>(Targeting.SetTargetEndpoint.Validate, Targeting.SetTargetEndpoint.Event),
        [EventTypeNames.SourceCited] = Of<Citing.CiteSource>(Citing.CiteSourceEndpoint.Validate, Citing.CiteSourceEndpoint.Event),
        [EventTypeNames.AgreementAmended] = Of<Amending.AmendAgreement>(Amending.AmendAgreementEndpoint.Validate, Amending.AmendAgreementEndpoint.Event),
        [EventTypeNames.AgreementSuspended] = Standing(ChangingStanding.Standing.Suspension),
        [EventTypeNames.AgreementResumed] = Standing(ChangingStanding.Standing.Resumption),
        [EventTypeNames.AgreementTerminated] = Standing(ChangingStanding.Standing.Termination),
        [EventTypeNames.AgreementWithdrawn] = Standing(ChangingStanding.Standing.Withdrawal),
        [EventTypeNames.ConsentExpressed] = Of<TreatyLaw.ExpressConsent>(TreatyLaw.ExpressConsentEndpoint.Validate, TreatyLaw.ExpressConsentEndpoint.Event),
        [EventTypeNames.ProvisionalApplicationStarted] = Of<TreatyLaw.StartProvisionalApplication>(TreatyLaw.StartProvisionalApplicationEndpoint.Validate, TreatyLaw.StartProvisionalApplicationEndpoint.Event),
        [EventTypeNames.ReservationMade] = Of<TreatyLaw.MakeReservation>(TreatyLaw.MakeReservationEndpoint.Validate, TreatyLaw.MakeReservationEndpoint.Event),
        [EventTypeNames.PartyWithdrew] = Of<TreatyLaw.Denounce>(TreatyLaw.DenounceEndpoint.Validate, TreatyLaw.DenounceEndpoint.Event),
    };

    /// <summary>The event types a replacement may have, in order.</summary>
    public static IReadOnlyList<string> Types { get; } = [.. Kinds.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads a replacement: its <c>type</c>, then the rest of it exactly as that type's command body is read on its own
    /// route (unknown members, wrong types, the command's own checks), every error named by its path in the correction
    /// (<c>replacement.occurredOn</c>). The replacement when there is none.
    /// </summary>
    public static (CorrectionReplacement? Replacement, Dictionary<string, string[]> Errors) Read(JsonElement body, TimeProvider clock, JsonSerializerOptions options)
    {
        const string path = "replacement";
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, Error(path, "must be an object: { type, …the body of that type's command }"));
        }

        var types = body.EnumerateObject().Where(m => m.Name == "type").Select(m => m.Value).ToList();
        if (types.Count != 1 || types[0].ValueKind != JsonValueKind.String)
        {
            return (null, Error($"{path}.type", types.Count > 1 ? "appears more than once" : $"is required: one of {string.Join(", ", Types)}"));
        }

        if (!Kinds.TryGetValue(types[0].GetString()!, out var kind))
        {
            return (null, Error($"{path}.type", $"must be one of {string.Join(", ", Types)} (the proposal cannot be corrected; a retraction is not a replacement)"));
        }

        var shape = JsonShape.CheckNested(body, kind.Command, path, except: "type");
        if (shape.Count > 0)
        {
            return (null, shape);
        }

        var node = JsonObject.Create(body)!;
        node.Remove("type");
        var command = node.Deserialize(kind.Command, options)!;
        if (kind.Validate(command, clock) is HttpValidationProblemDetails { Errors.Count: > 0 } invalid)
        {
            return (null, invalid.Errors.ToDictionary(e => $"{path}.{e.Key}", e => e.Value, StringComparer.Ordinal));
        }

        return (new CorrectionReplacement(command, kind.ToEvent), []);
    }

    private static Dictionary<string, string[]> Error(string field, string message) => new(StringComparer.Ordinal) { [field] = [message] };

    private static Kind Of<T>(Func<T, TimeProvider, ProblemDetails> validate, Func<T, DateOnly, IAgreementEvent> toEvent) =>
        new(typeof(T), (command, clock) => validate((T)command, clock), (command, today) => toEvent((T)command, today));

    private static Kind Standing(ChangingStanding.Standing standing) =>
        Of<ChangingStanding.ChangeStanding>(ChangingStanding.ChangeStandingEndpoint.Validate, (command, today) => ChangingStanding.ChangeStandingEndpoint.Event(standing, command, today));
}
