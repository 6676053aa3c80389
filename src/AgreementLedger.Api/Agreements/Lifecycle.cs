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

public sealed record Deliverable(string DeliverableId, string Name, DateOnly? DueBy, DateOnly? DeliveredOn);

public sealed record Target(string Milestone, DateOnly TargetDate, string? Note);

public sealed record Amendment(DateOnly OccurredOn, string Summary);

/// <summary>One recorded event placed in effective time.</summary>
public sealed record LifecycleFact(long Version, IAgreementEvent Event)
{
    public DateOnly OccurredOn => Event.OccurredOn;

    public string Type => EventTypeNames.Catalogue.NameOf(Event);
}

/// <summary>Everything derived from the effective-ordered facts.</summary>
public sealed record LifecycleState(
    bool Proposed,
    AgreementStatus Status,
    ImmutableList<string> Parties,
    ImmutableList<Signatory> Signatories,
    DateOnly? SignedOn,
    AgreementStatus? SuspendedFrom,
    ImmutableSortedDictionary<string, decimal> Funding,
    ImmutableList<Deliverable> Deliverables,
    ImmutableList<Target> Targets,
    ImmutableSortedDictionary<string, DateOnly> Reached,
    ImmutableList<SourceReference> Sources,
    string? Summary,
    ImmutableList<Amendment> Amendments)
{
    public static LifecycleState Empty { get; } = new(
        false, AgreementStatus.Proposed, [], [], null, null,
        ImmutableSortedDictionary<string, decimal>.Empty.WithComparers(StringComparer.Ordinal),
        [], [],
        ImmutableSortedDictionary<string, DateOnly>.Empty.WithComparers(StringComparer.Ordinal),
        [], null, []);

    public bool IsFinal => Status is AgreementStatus.Terminated or AgreementStatus.Withdrawn;

    /// <summary>Consent, entry into force, reservations and withdrawal per party (empty in a state stored before they existed).</summary>
    public TreatyLaw.TreatyState Treaty { get; init; } = TreatyLaw.TreatyState.Empty;
}

/// <summary>The first fact at which a sequence stops being a history the lifecycle allows.</summary>
public sealed record LifecycleBreak(LifecycleFact Fact, LifecycleRefusal Refusal)
{
    /// <summary>The event that breaks, as the contract's detail names it: "event 12 (negotiation_round_held) on 2025-10-02".</summary>
    public string Where => $"event {Fact.Version} ({Fact.Type}) on {Fact.OccurredOn:yyyy-MM-dd}";

    public string Describe() => $"{Where}: {Refusal.Text(null)}";
}

/// <summary>
/// The stage rules of docs/api.md "Lifecycle", in one place and pure. Rules are judged over the facts
/// ordered by occurredOn, then version; the status is where that sequence arrives.
/// </summary>
public static class Lifecycle
{
    /// <summary>The stages on the line, in order; Suspended, Terminated and Withdrawn are off it.</summary>
    private static readonly AgreementStatus[] LineStages =
    [
        AgreementStatus.Proposed, AgreementStatus.Negotiating, AgreementStatus.Negotiated,
        AgreementStatus.Signed, AgreementStatus.Funded, AgreementStatus.Delivered,
    ];

    public static IReadOnlyList<AgreementStatus> Line => LineStages;

    /// <summary>Milestones a target may name: the line after Proposed.</summary>
    public static readonly IReadOnlySet<string> Milestones =
        Line.Skip(1).Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);

    private static readonly AgreementStatus[] BeforeSignature =
        [AgreementStatus.Proposed, AgreementStatus.Negotiating, AgreementStatus.Negotiated];

    private static readonly AgreementStatus[] InForce =
        [AgreementStatus.Signed, AgreementStatus.Funded, AgreementStatus.Delivered];

    public static IComparer<LifecycleFact> EffectiveOrder { get; } =
        Comparer<LifecycleFact>.Create((a, b) => CompareEffective(a.OccurredOn, a.Version, b.OccurredOn, b.Version));

    /// <summary>
    /// <see cref="EffectiveOrder"/> on a fact's effective key alone (occurredOn, then version): what a state that
    /// keeps only its newest fact's key (a snapshot, a time-travel checkpoint) compares a new fact with.
    /// </summary>
    public static int CompareEffective(DateOnly occurredOn, long version, DateOnly otherOn, long otherVersion)
    {
        var byDate = occurredOn.CompareTo(otherOn);
        return byDate != 0 ? byDate : version.CompareTo(otherVersion);
    }

    /// <summary>Why the event may not follow the state, or null when it may.</summary>
    public static LifecycleRefusal? Refusal(LifecycleState state, IAgreementEvent @event)
    {
        if (@event is AgreementProposed)
        {
            return state.Proposed ? new(RuleCodes.AlreadyProposed, "An agreement is proposed only once") : null;
        }

        if (!state.Proposed)
        {
            return new(RuleCodes.NotProposed, "The first event must be the proposal");
        }

        if (TreatyLaw.TreatyRules.Handles(@event))
        {
            return TreatyLaw.TreatyRules.Refusal(state, @event);
        }

        var status = state.Status;
        return @event switch
        {
            NegotiationRoundHeld or TermsAgreed when status is not (AgreementStatus.Proposed or AgreementStatus.Negotiating) =>
                LifecycleRefusal.Stage(@event, status, AgreementStatus.Proposed, AgreementStatus.Negotiating),
            PartySigned or PartyJoined when !BeforeSignature.Contains(status) =>
                LifecycleRefusal.Stage(@event, status, BeforeSignature),
            PartySigned signed when !state.Parties.Contains(signed.Party) =>
                new(RuleCodes.PartyNotMember, $"{signed.Party} is not a party: add it first") { Field = "party", Subject = signed.Party },
            PartySigned signed when state.Signatories.FirstOrDefault(s => s.Party == signed.Party) is { } earlier =>
                new(RuleCodes.AlreadySigned, $"{signed.Party} already signed on {earlier.SignedOn:yyyy-MM-dd}{{event}}")
                {
                    Field = "party", Subject = signed.Party, RestsOn = s => s.Signatories.Any(x => x.Party == signed.Party),
                },
            PartyJoined joined when state.Parties.Contains(joined.Party) =>
                new(RuleCodes.AlreadyParty, $"{joined.Party} is already a party{{event}}")
                {
                    Field = "party", Subject = joined.Party, RestsOn = s => s.Parties.Contains(joined.Party),
                },
            DeliverablePlanned or TargetSet or SourceCited or AgreementAmended when state.IsFinal =>
                LifecycleRefusal.Final(status),
            DeliverablePlanned planned when state.Deliverables.Any(d => d.DeliverableId == planned.DeliverableId) =>
                new(RuleCodes.DeliverableAlreadyPlanned, $"Deliverable '{planned.DeliverableId}' is already planned{{event}}")
                {
                    Field = "deliverableId", Subject = planned.DeliverableId, RestsOn = s => s.Deliverables.Any(d => d.DeliverableId == planned.DeliverableId),
                },
            FundingCommitted or AgreementSuspended when !InForce.Contains(status) =>
                LifecycleRefusal.Stage(@event, status, InForce),
            DeliverableDelivered when status is not (AgreementStatus.Signed or AgreementStatus.Funded) =>
                LifecycleRefusal.Stage(@event, status, AgreementStatus.Signed, AgreementStatus.Funded),
            DeliverableDelivered delivered when !state.Deliverables.Any(d => d.DeliverableId == delivered.DeliverableId) =>
                new(RuleCodes.DeliverableNotPlanned, $"Deliverable '{delivered.DeliverableId}' is not planned: plan it first")
                {
                    Field = "deliverableId", Subject = delivered.DeliverableId,
                },
            DeliverableDelivered delivered when state.Deliverables.FirstOrDefault(d => d.DeliverableId == delivered.DeliverableId)?.DeliveredOn is { } on =>
                new(RuleCodes.DeliverableAlreadyDelivered, $"Deliverable '{delivered.DeliverableId}' was already delivered on {on:yyyy-MM-dd}{{event}}")
                {
                    Field = "deliverableId", Subject = delivered.DeliverableId,
                    RestsOn = s => s.Deliverables.FirstOrDefault(d => d.DeliverableId == delivered.DeliverableId)?.DeliveredOn,
                },
            AgreementResumed when status != AgreementStatus.Suspended =>
                LifecycleRefusal.Stage(@event, status, AgreementStatus.Suspended),
            AgreementTerminated when !InForce.Contains(status) && status != AgreementStatus.Suspended =>
                LifecycleRefusal.Stage(@event, status, [.. InForce, AgreementStatus.Suspended]),
            AgreementWithdrawn when !BeforeSignature.Contains(status) =>
                LifecycleRefusal.Stage(@event, status, BeforeSignature),
            _ => null,
        };
    }

    /// <summary>Folds one allowed fact; callers check <see cref="Refusal"/> first.</summary>
    public static LifecycleState Evolve(LifecycleState state, LifecycleFact fact)
    {
        var next = fact.Event switch
        {
            AgreementProposed proposed => state with
            {
                Proposed = true,
                Status = AgreementStatus.Proposed,
                Parties = [.. proposed.Parties],
                Sources = [.. proposed.Sources],
                Summary = proposed.Summary,
            },
            NegotiationRoundHeld => state with { Status = AgreementStatus.Negotiating },
            TermsAgreed => state with { Status = AgreementStatus.Negotiated },
            PartySigned signed => Sign(state, signed),
            PartyJoined joined => state with { Parties = state.Parties.Add(joined.Party) },
            DeliverablePlanned planned => Plan(state, planned),
            FundingCommitted funding => state with
            {
                Funding = state.Funding.SetItem(funding.Currency, state.Funding.GetValueOrDefault(funding.Currency) + funding.Amount),
                Status = state.Status == AgreementStatus.Signed ? AgreementStatus.Funded : state.Status,
            },
            DeliverableDelivered delivered => Deliver(state, delivered),
            TargetSet target => state with
            {
                Targets = state.Targets.RemoveAll(t => t.Milestone == target.Milestone)
                    .Add(new Target(target.Milestone, target.TargetDate, target.Note)),
            },
            SourceCited cited => state with { Sources = state.Sources.Add(new SourceReference(cited.Publisher, cited.Url, cited.PublishedOn, cited.Note)) },
            AgreementAmended amended => state with
            {
                Summary = amended.Summary,
                Amendments = state.Amendments.Add(new Amendment(amended.OccurredOn, amended.Summary)),
            },
            AgreementSuspended => state with { SuspendedFrom = state.Status, Status = AgreementStatus.Suspended },
            AgreementResumed => state with { Status = state.SuspendedFrom ?? AgreementStatus.Signed, SuspendedFrom = null },
            AgreementTerminated => state with { Status = AgreementStatus.Terminated, SuspendedFrom = null },
            AgreementWithdrawn => state with { Status = AgreementStatus.Withdrawn },
            _ when TreatyLaw.TreatyRules.Handles(fact.Event) => TreatyLaw.TreatyRules.Evolve(state, fact),
            _ => state,
        };

        return MarkReached(next, fact.OccurredOn);
    }

    /// <summary>Replays facts (in any order) in effective order; the state, or the first break.</summary>
    public static (LifecycleState State, LifecycleBreak? Break) Replay(IEnumerable<LifecycleFact> facts)
    {
        var state = LifecycleState.Empty;
        foreach (var fact in facts.Order(EffectiveOrder))
        {
            if (Refusal(state, fact.Event) is { } refusal)
            {
                return (state, new LifecycleBreak(fact, refusal));
            }

            state = Evolve(state, fact);
        }

        return (state, null);
    }

    /// <summary>The day a stage was first reached (the status was it or later on the line), if it was.</summary>
    public static DateOnly? ReachedOn(LifecycleState state, string milestone) =>
        state.Reached.TryGetValue(milestone, out var day) ? day : null;

    internal static LifecycleState Sign(LifecycleState state, PartySigned signed)
    {
        var signatories = state.Signatories.Add(new Signatory(signed.Party, signed.OccurredOn, signed.SignedBy, signed.Place));
        var everyoneSigned = state.Parties.All(p => signatories.Any(s => s.Party == p));
        return everyoneSigned
            ? state with { Signatories = signatories, Status = AgreementStatus.Signed, SignedOn = signed.OccurredOn }
            : state with { Signatories = signatories };
    }

    private static LifecycleState Plan(LifecycleState state, DeliverablePlanned planned)
    {
        var next = state with { Deliverables = state.Deliverables.Add(new Deliverable(planned.DeliverableId, planned.Name, planned.DueBy, null)) };
        // A new deliverable reopens delivery: back to the stage Delivered was reached from.
        var before = state.Funding.IsEmpty ? AgreementStatus.Signed : AgreementStatus.Funded;
        if (state.Status == AgreementStatus.Delivered)
        {
            return next with { Status = before };
        }

        return state.SuspendedFrom == AgreementStatus.Delivered ? next with { SuspendedFrom = before } : next;
    }

    private static LifecycleState Deliver(LifecycleState state, DeliverableDelivered delivered)
    {
        var deliverables = state.Deliverables.Select(d =>
            d.DeliverableId == delivered.DeliverableId ? d with { DeliveredOn = delivered.OccurredOn } : d).ToImmutableList();
        var all = deliverables.All(d => d.DeliveredOn is not null);
        return state with { Deliverables = deliverables, Status = all ? AgreementStatus.Delivered : state.Status };
    }

    private static LifecycleState MarkReached(LifecycleState state, DateOnly day)
    {
        var rank = Array.IndexOf(LineStages, state.Status);
        if (rank < 1)
        {
            return state;
        }

        var reached = state.Reached;
        for (var i = 1; i <= rank; i++)
        {
            var stage = LineStages[i].ToString();
            if (!reached.ContainsKey(stage))
            {
                reached = reached.Add(stage, day);
            }
        }

        return state with { Reached = reached };
    }
}
