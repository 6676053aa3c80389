using System.Text.Json.Serialization;

namespace AgreementLedger.Agreements;

/// <summary>
/// An event on an agreement's stream. Its data is the command body after defaults, with the same
/// field names. The discriminators below are the contract's stored type names (API.md); they are
/// used only where an event sits behind this interface inside a document, never in mt_events.data.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AgreementProposed), EventTypeNames.AgreementProposed)]
[JsonDerivedType(typeof(NegotiationRoundHeld), EventTypeNames.NegotiationRoundHeld)]
[JsonDerivedType(typeof(PartySigned), EventTypeNames.PartySigned)]
public interface IAgreementEvent
{
    /// <summary>When it happened in the world (effective time).</summary>
    DateOnly OccurredOn { get; }
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
    IReadOnlyList<SourceReference> Sources) : IAgreementEvent;

public sealed record NegotiationRoundHeld(
    DateOnly OccurredOn,
    string? Location,
    IReadOnlyList<string> Participants,
    string? Summary) : IAgreementEvent;

public sealed record PartySigned(
    string Party,
    DateOnly OccurredOn,
    string? SignedBy,
    string? Place) : IAgreementEvent;

/// <summary>The stored event type names. They are part of the public contract: renaming a class
/// must never rename history, so every event type is mapped explicitly.</summary>
public static class EventTypeNames
{
    public const string AgreementProposed = "agreement_proposed";
    public const string NegotiationRoundHeld = "negotiation_round_held";
    public const string PartySigned = "party_signed";

    public static readonly IReadOnlyDictionary<Type, string> ByType = new Dictionary<Type, string>
    {
        [typeof(AgreementProposed)] = AgreementProposed,
        [typeof(NegotiationRoundHeld)] = NegotiationRoundHeld,
        [typeof(PartySigned)] = PartySigned,
    };

    public static string Of(object @event) => ByType[@event.GetType()];
}
