using System.Text.Json.Serialization;

namespace AgreementLedger.Agreements;

/// <summary>
/// An event on an agreement's stream. Its data is the command body after defaults, with the same
/// field names. The discriminators below are the contract's stored type names (docs/api.md); they are
/// used only where an event sits behind this interface inside a document, never in mt_events.data.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AgreementProposed), EventTypeNames.AgreementProposed)]
[JsonDerivedType(typeof(NegotiationRoundHeld), EventTypeNames.NegotiationRoundHeld)]
[JsonDerivedType(typeof(PartySigned), EventTypeNames.PartySigned)]
[JsonDerivedType(typeof(TermsAgreed), EventTypeNames.TermsAgreed)]
[JsonDerivedType(typeof(PartyJoined), EventTypeNames.PartyJoined)]
[JsonDerivedType(typeof(DeliverablePlanned), EventTypeNames.DeliverablePlanned)]
[JsonDerivedType(typeof(FundingCommitted), EventTypeNames.FundingCommitted)]
[JsonDerivedType(typeof(DeliverableDelivered), EventTypeNames.DeliverableDelivered)]
[JsonDerivedType(typeof(TargetSet), EventTypeNames.TargetSet)]
[JsonDerivedType(typeof(SourceCited), EventTypeNames.SourceCited)]
[JsonDerivedType(typeof(AgreementAmended), EventTypeNames.AgreementAmended)]
[JsonDerivedType(typeof(AgreementSuspended), EventTypeNames.AgreementSuspended)]
[JsonDerivedType(typeof(AgreementResumed), EventTypeNames.AgreementResumed)]
[JsonDerivedType(typeof(AgreementTerminated), EventTypeNames.AgreementTerminated)]
[JsonDerivedType(typeof(AgreementWithdrawn), EventTypeNames.AgreementWithdrawn)]
[JsonDerivedType(typeof(ConsentExpressed), EventTypeNames.ConsentExpressed)]
[JsonDerivedType(typeof(EnteredIntoForce), EventTypeNames.EnteredIntoForce)]
[JsonDerivedType(typeof(ProvisionalApplicationStarted), EventTypeNames.ProvisionalApplicationStarted)]
[JsonDerivedType(typeof(ReservationMade), EventTypeNames.ReservationMade)]
[JsonDerivedType(typeof(PartyWithdrew), EventTypeNames.PartyWithdrew)]
public interface IAgreementEvent
{
    /// <summary>When it happened in the world (effective time).</summary>
    DateOnly OccurredOn { get; }

    /// <summary>The version of the event this one replaces, when it was recorded by a correction; absent otherwise.</summary>
    long? Corrects { get; }
}

/// <summary>
/// What every agreement event but the proposal shares: <c>corrects</c>, the version of the event it replaces when a
/// correction recorded it (docs/api.md "Corrections"). Absent (null, so not written) otherwise: the stored data of
/// every other event, and so its hash, is what it was before corrections existed.
/// </summary>
public abstract record CorrectableEvent
{
    public long? Corrects { get; init; }
}

public sealed record SourceReference(string Publisher, string? Url = null, DateOnly? PublishedOn = null, string? Note = null);

public sealed record AgreementProposed(
    string Id,
    string Title,
    string Kind,
    IReadOnlyList<string> Parties,
    IReadOnlyList<string> Areas,
    string? Summary,
    DateOnly OccurredOn,
    IReadOnlyList<SourceReference> Sources) : IAgreementEvent
{
    /// <summary>The proposal cannot be corrected (amend or withdraw it instead).</summary>
    long? IAgreementEvent.Corrects => null;
}

public sealed record NegotiationRoundHeld(
    DateOnly OccurredOn,
    string? Location,
    IReadOnlyList<string> Participants,
    string? Summary) : CorrectableEvent, IAgreementEvent;

public sealed record PartySigned(
    string Party,
    DateOnly OccurredOn,
    string? SignedBy,
    string? Place) : CorrectableEvent, IAgreementEvent;

public sealed record TermsAgreed(DateOnly OccurredOn, string? Summary) : CorrectableEvent, IAgreementEvent;

public sealed record PartyJoined(string Party, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record DeliverablePlanned(string DeliverableId, string Name, DateOnly? DueBy, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record FundingCommitted(string Funder, decimal Amount, string Currency, string? Purpose, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record DeliverableDelivered(string DeliverableId, DateOnly OccurredOn, string? Note) : CorrectableEvent, IAgreementEvent;

public sealed record TargetSet(string Milestone, DateOnly TargetDate, string? Note, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record SourceCited(string Publisher, string? Url, DateOnly? PublishedOn, string? Note, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record AgreementAmended(string Summary, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record AgreementSuspended(string Reason, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record AgreementResumed(string Reason, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record AgreementTerminated(string Reason, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

public sealed record AgreementWithdrawn(string Reason, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

/// <summary>A party's consent to be bound (docs/api.md "Treaty law"): <c>instrument</c> ∈ <see cref="TreatyLaw.TreatyRules.Instruments"/>.</summary>
public sealed record ConsentExpressed(
    string Party, string Instrument, DateOnly OccurredOn, string? Depositary, string? SignedBy, string? Place, string? Note) : CorrectableEvent, IAgreementEvent;

/// <summary>The agreement enters into force for <c>parties</c>, worked out (when the command left them out) and stored.</summary>
public sealed record EnteredIntoForce(DateOnly OccurredOn, IReadOnlyList<string> Parties, string? Note) : CorrectableEvent, IAgreementEvent;

public sealed record ProvisionalApplicationStarted(string Party, DateOnly OccurredOn, string? Note) : CorrectableEvent, IAgreementEvent;

/// <summary>A reservation, declaration, objection (to the one at <c>refersTo</c>) or the withdrawal of one.</summary>
public sealed record ReservationMade(string Party, string Kind, string Text, long? RefersTo, DateOnly OccurredOn) : CorrectableEvent, IAgreementEvent;

/// <summary>A party's withdrawal (denunciation), taking effect on <c>effectiveOn</c>, which may lie ahead.</summary>
public sealed record PartyWithdrew(string Party, DateOnly OccurredOn, DateOnly EffectiveOn, string? Note) : CorrectableEvent, IAgreementEvent;

/// <summary>
/// A correction: removes the event at <c>Version</c> from the effective sequence without erasing
/// it. It takes effect in recorded time, so it has no occurredOn and is no lifecycle fact.
/// </summary>
public sealed record EventRetracted(long Version, string Reason);

/// <summary>The stored event type names. They are part of the public contract: renaming a class
/// must never rename history, so every event type is mapped explicitly.</summary>
public static class EventTypeNames
{
    public const string AgreementProposed = "agreement_proposed";
    public const string NegotiationRoundHeld = "negotiation_round_held";
    public const string PartySigned = "party_signed";
    public const string TermsAgreed = "terms_agreed";
    public const string PartyJoined = "party_joined";
    public const string DeliverablePlanned = "deliverable_planned";
    public const string FundingCommitted = "funding_committed";
    public const string DeliverableDelivered = "deliverable_delivered";
    public const string TargetSet = "target_set";
    public const string SourceCited = "source_cited";
    public const string AgreementAmended = "agreement_amended";
    public const string AgreementSuspended = "agreement_suspended";
    public const string AgreementResumed = "agreement_resumed";
    public const string AgreementTerminated = "agreement_terminated";
    public const string AgreementWithdrawn = "agreement_withdrawn";
    public const string ConsentExpressed = "consent_expressed";
    public const string EnteredIntoForce = "entered_into_force";
    public const string ProvisionalApplicationStarted = "provisional_application_started";
    public const string ReservationMade = "reservation_made";
    public const string PartyWithdrew = "party_withdrew";
    public const string EventRetracted = Ledger.EventCatalogue.Retraction;

    public static readonly IReadOnlyDictionary<Type, string> ByType = new Dictionary<Type, string>
    {
        [typeof(AgreementProposed)] = AgreementProposed,
        [typeof(NegotiationRoundHeld)] = NegotiationRoundHeld,
        [typeof(PartySigned)] = PartySigned,
        [typeof(TermsAgreed)] = TermsAgreed,
        [typeof(PartyJoined)] = PartyJoined,
        [typeof(DeliverablePlanned)] = DeliverablePlanned,
        [typeof(FundingCommitted)] = FundingCommitted,
        [typeof(DeliverableDelivered)] = DeliverableDelivered,
        [typeof(TargetSet)] = TargetSet,
        [typeof(SourceCited)] = SourceCited,
        [typeof(AgreementAmended)] = AgreementAmended,
        [typeof(AgreementSuspended)] = AgreementSuspended,
        [typeof(AgreementResumed)] = AgreementResumed,
        [typeof(AgreementTerminated)] = AgreementTerminated,
        [typeof(AgreementWithdrawn)] = AgreementWithdrawn,
        [typeof(ConsentExpressed)] = ConsentExpressed,
        [typeof(EnteredIntoForce)] = EnteredIntoForce,
        [typeof(ProvisionalApplicationStarted)] = ProvisionalApplicationStarted,
        [typeof(ReservationMade)] = ReservationMade,
        [typeof(PartyWithdrew)] = PartyWithdrew,
        [typeof(EventRetracted)] = EventRetracted,
    };

    /// <summary>The agreement events as the kernel knows them: registered at composition, and what Marten is configured with.</summary>
    public static readonly Ledger.EventCatalogue Catalogue = new(ByType);
}
