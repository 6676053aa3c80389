using System.Collections.Immutable;

namespace AgreementLedger.Agreements;

public enum AgreementStatus
{
    Proposed,
    Negotiating,
    Negotiated,
    Signed,
    Funded,
    Delivered,
    Suspended,
    Terminated,
    Withdrawn,
}

public sealed record Signatory(string Party, DateOnly SignedOn, string? SignedBy, string? Place);

/// <summary>One recorded event placed in effective time.</summary>
public sealed record LifecycleFact(long Version, IAgreementEvent Event)
{
    public DateOnly OccurredOn => Event.OccurredOn;

    public string Type => EventTypeNames.Of(Event);
}

/// <summary>What the lifecycle derives from the effective-ordered facts.</summary>
public sealed record LifecycleState(
    bool Proposed,
    AgreementStatus Status,
    ImmutableList<string> Parties,
    ImmutableList<Signatory> Signatories,
    DateOnly? SignedOn)
{
    public static LifecycleState Empty { get; } = new(false, AgreementStatus.Proposed, [], [], null);
}

/// <summary>The first fact at which a sequence stops being a history the lifecycle allows.</summary>
public sealed record LifecycleBreak(LifecycleFact Fact, string Reason)
{
    public string Describe() => $"event {Fact.Version} ({Fact.Type}) on {Fact.OccurredOn:yyyy-MM-dd}: {Reason}";
}

/// <summary>
/// The stage rules of API.md "Lifecycle", in one place and pure. Rules are judged over the facts
/// ordered by occurredOn, then version; the status is where that sequence arrives.
/// </summary>
public static class Lifecycle
{
    private static readonly AgreementStatus[] BeforeSignature =
        [AgreementStatus.Proposed, AgreementStatus.Negotiating, AgreementStatus.Negotiated];

    public static IComparer<LifecycleFact> EffectiveOrder { get; } =
        Comparer<LifecycleFact>.Create((a, b) =>
        {
            var byDate = a.OccurredOn.CompareTo(b.OccurredOn);
            return byDate != 0 ? byDate : a.Version.CompareTo(b.Version);
        });

    /// <summary>Why the event may not follow the state, or null when it may.</summary>
    public static string? Refusal(LifecycleState state, IAgreementEvent @event) => @event switch
    {
        AgreementProposed => state.Proposed ? "an agreement is proposed only once" : null,
        _ when !state.Proposed => "the first event must be the proposal",
        NegotiationRoundHeld when state.Status is not (AgreementStatus.Proposed or AgreementStatus.Negotiating) =>
            $"a negotiation round needs status Proposed or Negotiating, but it is {state.Status}",
        PartySigned when !BeforeSignature.Contains(state.Status) =>
            $"a signature needs status Proposed, Negotiating or Negotiated, but it is {state.Status}",
        PartySigned signed when !state.Parties.Contains(signed.Party) =>
            $"{signed.Party} is not a party",
        PartySigned signed when state.Signatories.Any(s => s.Party == signed.Party) =>
            $"{signed.Party} has already signed",
        _ => null,
    };

    /// <summary>Folds one allowed fact; callers check <see cref="Refusal"/> first.</summary>
    public static LifecycleState Evolve(LifecycleState state, LifecycleFact fact) => fact.Event switch
    {
        AgreementProposed proposed => state with
        {
            Proposed = true,
            Status = AgreementStatus.Proposed,
            Parties = [.. proposed.Parties],
        },
        NegotiationRoundHeld => state with { Status = AgreementStatus.Negotiating },
        PartySigned signed => Sign(state, signed),
        _ => state,
    };

    /// <summary>Replays facts (in any order) in effective order; the state, or the first break.</summary>
    public static (LifecycleState State, LifecycleBreak? Break) Replay(IEnumerable<LifecycleFact> facts)
    {
        var state = LifecycleState.Empty;
        foreach (var fact in facts.Order(EffectiveOrder))
        {
            if (Refusal(state, fact.Event) is { } reason)
            {
                return (state, new LifecycleBreak(fact, reason));
            }

            state = Evolve(state, fact);
        }

        return (state, null);
    }

    private static LifecycleState Sign(LifecycleState state, PartySigned signed)
    {
        var signatories = state.Signatories.Add(new Signatory(signed.Party, signed.OccurredOn, signed.SignedBy, signed.Place));
        var everyoneSigned = state.Parties.All(p => signatories.Any(s => s.Party == p));
        return everyoneSigned
            ? state with { Signatories = signatories, Status = AgreementStatus.Signed, SignedOn = signed.OccurredOn }
            : state with { Signatories = signatories };
    }
}
