using System.Collections.Immutable;
using System.Text.Json.Serialization;
using AgreementLedger.Ledger;
using JasperFx.Events;

namespace AgreementLedger.Agreements;

/// <summary>
/// The write model of one agreement, folded by Marten from its stream (and kept as an inline
/// snapshot, <see cref="AgreementSnapshot"/>). Rules are judged in effective time: a fact that comes
/// after every known one meets the lifecycle state as it is, which the snapshot holds with the newest
/// fact's effective key; a fact dated earlier, or a retraction, replays the lifecycle over every fact.
/// The facts themselves are kept only in memory (an agreement folded from its events knows them), not
/// in the snapshot, so a command's cost does not grow with the history: one that needs them gets
/// <see cref="FactsUnknownException"/> and decides again on the agreement folded from its events. It
/// also carries the tip of the hash chain.
/// </summary>
public sealed record Agreement
{
    public string Id { get; init; } = "";

    /// <summary>The stream version: the number of events recorded on the agreement.</summary>
    public long Version { get; init; }

    public string Title { get; init; } = "";

    public string Kind { get; init; } = "";

    public ImmutableList<string> Areas { get; init; } = [];

    public DateOnly ProposedOn { get; init; }

    /// <summary>
    /// Every lifecycle fact, in effective order (occurredOn, then version), when known: null in an
    /// agreement read from its snapshot, which leaves them out (see <see cref="KnownFacts"/>).
    /// </summary>
    [JsonIgnore]
    public ImmutableList<LifecycleFact>? Facts { get; init; }

    /// <summary>The newest fact's occurredOn (its effective key, with <see cref="NewestFactVersion"/>); null before any fact.</summary>
    public DateOnly? NewestFactOn { get; init; }

    /// <summary>The newest fact's version; 0 before any fact, and in a snapshot stored before it was kept.</summary>
    public long NewestFactVersion { get; init; }

    public LifecycleState Lifecycle { get; init; } = LifecycleState.Empty;

    /// <summary>Versions of the events that were retracted, and of the retractions themselves.</summary>
    public ImmutableList<long> RetractedVersions { get; init; } = [];

    public ImmutableList<long> RetractionVersions { get; init; } = [];

    /// <summary>The hash of the newest event: the next event's previousHash.</summary>
    public string LastHash { get; init; } = EventHash.Genesis;

    /// <summary>The newest event's recordedAt; the next one may not be earlier.</summary>
    public DateTimeOffset LastRecordedAt { get; init; }

    /// <summary>
    /// The facts, which a rule needs for a fact that does not come after every known one, or for a
    /// retraction; <see cref="FactsUnknownException"/> when they are unknown (an agreement read from its
    /// snapshot), so nothing is decided or folded without them.
    /// </summary>
    [JsonIgnore]
    public ImmutableList<LifecycleFact> KnownFacts => FactsIfKnown ?? throw new FactsUnknownException(Id, Version);

    /// <summary>The facts when known: before the first event there are none.</summary>
    private ImmutableList<LifecycleFact>? FactsIfKnown => Facts ?? (Version == 0 ? [] : null);

    /// <summary>Marten's fold (through <see cref="AgreementSnapshot"/>). Pure: everything comes from the event and its stored envelope.</summary>
    public Agreement Evolve(IEvent e) =>
        Fold(e.Version, e.Data, e.GetHeader(EventEnvelope.HashHeader)?.ToString() ?? LastHash, e.Timestamp);

    /// <summary>
    /// The next event of agreement <paramref name="agreementId"/> stamped with its full envelope
    /// (version, recordedAt never before the previous one, recordedBy, hash chained to the tip), and
    /// this agreement with it folded in. Every writer appends through here.
    /// </summary>
    public (IEvent Stamped, Agreement Next) Append(string agreementId, object @event, DateTimeOffset now, string recordedBy, Marten.ISerializer serializer)
    {
        var (stamped, next, _) = AppendStored(agreementId, @event, now, recordedBy, serializer);
        return (stamped, next);
    }

    /// <summary><see cref="Append"/>, also giving the event's JSON exactly as hashed (and as it is to be stored).</summary>
    public (IEvent Stamped, Agreement Next, string Json) AppendStored(string agreementId, object @event, DateTimeOffset now, string recordedBy, Marten.ISerializer serializer)
    {
        var version = Version + 1;
        var recordedAt = EventEnvelope.NextRecordedAt(now, LastRecordedAt);
        var json = serializer.ToJson(@event);
        var stamped = EventEnvelope.Stamp(@event, EventTypeNames.Catalogue.NameOf(@event), agreementId, version, recordedAt, recordedBy, LastHash, json);
        return (stamped, Fold(version, @event, (string)stamped.GetHeader(EventEnvelope.HashHeader)!, recordedAt), json);
    }

    /// <summary>
    /// Folds one event given its envelope: used by Marten, by the command pipeline after an append,
    /// and by time travel, which folds events not yet in effect (<paramref name="inEffect"/> false)
    /// into the envelope only.
    /// </summary>
    public Agreement Fold(long version, object data, string hash, DateTimeOffset recordedAt, bool inEffect = true)
    {
        var folded = this with { Version = version, LastHash = hash, LastRecordedAt = recordedAt, Facts = FactsIfKnown };
        return data switch
        {
            EventRetracted retracted => folded.Retract(version, retracted.Version),
            IAgreementEvent @event when inEffect => folded.Record(new LifecycleFact(version, @event)),
            _ => folded,
        };
    }

    /// <summary>
    /// Folds the known events of a stream (in version order), as in effect on
    /// <paramref name="effectiveOn"/> when given. Equal to folding them one by one, but collects the
    /// facts first and replays the lifecycle once: linear, where a fold per event re-sorts and
    /// re-allocates for every late fact.
    /// </summary>
    public static Agreement Replay(IEnumerable<StoredEvent> known, DateOnly? effectiveOn = null)
    {
        var agreement = new Agreement();
        var facts = new List<LifecycleFact>();
        var retracted = ImmutableList.CreateBuilder<long>();
        var retractions = ImmutableList.CreateBuilder<long>();
        foreach (var e in known)
        {
            agreement = agreement with
            {
                Version = e.Version,
                LastHash = e.Hash.Length > 0 ? e.Hash : agreement.LastHash,
                LastRecordedAt = e.RecordedAt,
            };
            switch (e.Data)
            {
                case EventRetracted retraction:
                    retracted.Add(retraction.Version);
                    retractions.Add(e.Version);
                    break;
                case AgreementProposed proposed:
                    agreement = agreement with
                    {
                        Id = proposed.Id,
                        Title = proposed.Title,
                        Kind = proposed.Kind,
                        Areas = [.. proposed.Areas],
                        ProposedOn = proposed.OccurredOn,
                    };
                    facts.Add(new LifecycleFact(e.Version, proposed));
                    break;
                case IAgreementEvent @event when effectiveOn is null || @event.OccurredOn <= effectiveOn:
                    facts.Add(new LifecycleFact(e.Version, @event));
                    break;
            }
        }

        var withdrawn = retracted.ToHashSet();
        var ordered = facts.Where(f => !withdrawn.Contains(f.Version)).Order(Agreements.Lifecycle.EffectiveOrder).ToImmutableList();
        return agreement.WithFacts(ordered) with
        {
            Lifecycle = Agreements.Lifecycle.Replay(ordered).State,
            RetractedVersions = retracted.ToImmutable(),
            RetractionVersions = retractions.ToImmutable(),
        };
    }

    /// <summary>
    /// Whether <paramref name="event"/> may be recorded next, judged against this agreement: no fact
    /// dated before the proposal (400), then the lifecycle replayed in effective time (409, naming
    /// the first event that would break). Every command decides through here.
    /// </summary>
    public Decision Admit(IAgreementEvent @event)
    {
        if (Version > 0 && @event.OccurredOn < ProposedOn)
        {
            return Decision.Invalid("occurredOn", $"must not be before the proposal's occurredOn ({ProposedOn:yyyy-MM-dd})");
        }

        return WouldBreak(@event) is { } broken
            ? Decision.Conflict(LifecycleConflict.Breaking("Recording this", broken, Explain(broken, () => KnownFacts.Add(new LifecycleFact(Version + 1, @event))), Version, "occurredOn"))
            : Decision.Accept(@event);
    }

    /// <summary>
    /// Whether <paramref name="retraction"/> may be recorded: a version that does not exist is bad
    /// input (400); the other refusals are the lifecycle's (409).
    /// </summary>
    public Decision Admit(EventRetracted retraction)
    {
        var version = retraction.Version;
        switch (TargetRefusal(version, "retracted"))
        {
            case (400, _, var reason):
                return Decision.Invalid("version", reason);
            case (_, var rule, var reason):
                return Decision.Conflict(LifecycleConflict.Target(rule, reason, version, $"The event cannot be retracted: {reason}."));
        }

        var facts = KnownFacts.RemoveAll(f => f.Version == version);
        return Agreements.Lifecycle.Replay(facts).Break is { } broken
            ? Decision.Conflict(LifecycleConflict.Breaking($"Retracting event {version}", broken, Explain(broken, () => facts), Version, "version"))
            : Decision.Accept(retraction);
    }

    /// <summary>
    /// The event a break conflicts with, among <paramref name="facts"/> (the history it was judged on). A refusal that
    /// names one reads the facts, as a fact dated before the newest does (<see cref="FactsUnknownException"/> from a
    /// snapshot); one that rests on an absence ("NZ is not a party") does not.
    /// </summary>
    public static LifecycleFact? Explain(LifecycleBreak broken, Func<IEnumerable<LifecycleFact>> facts) =>
        broken.Refusal.RestsOn is null ? null : LifecycleConflict.CauseOf(facts(), broken);

    /// <summary>
    /// Why the event at <paramref name="version"/> cannot be <paramref name="done"/> ("retracted", "corrected") whatever the
    /// lifecycle says (there is none: 400; it is the proposal, a retraction, or already retracted: 409, with its rule); or null.
    /// </summary>
    public (int Status, string Rule, string Reason)? TargetRefusal(long version, string done)
    {
        if (version < 1 || version > Version)
        {
            return (400, "", $"there is no event with version {version} (the agreement is at version {Version})");
        }

        if (version == 1)
        {
            return (409, RuleCodes.ProposalNotRetractable, $"the proposal (version 1) cannot be {done}");
        }

        if (RetractionVersions.Contains(version))
        {
            return (409, RuleCodes.RetractionNotRetractable, $"event {version} is a retraction, which cannot be {done}");
        }

        if (RetractedVersions.Contains(version))
        {
            return (409, RuleCodes.AlreadyRetracted, $"event {version} is already retracted");
        }

        return null;
    }

    private Agreement Retract(long retractionVersion, long retracted)
    {
        var facts = KnownFacts.RemoveAll(f => f.Version == retracted);
        return WithFacts(facts) with
        {
            Lifecycle = Agreements.Lifecycle.Replay(facts).State,
            RetractedVersions = RetractedVersions.Add(retracted),
            RetractionVersions = RetractionVersions.Add(retractionVersion),
        };
    }

    /// <summary>The agreement with one more fact placed at its effective position.</summary>
    public Agreement Record(LifecycleFact fact)
    {
        var next = this;
        if (fact.Event is AgreementProposed proposed)
        {
            next = next with
            {
                Id = proposed.Id,
                Title = proposed.Title,
                Kind = proposed.Kind,
                Areas = [.. proposed.Areas],
                ProposedOn = proposed.OccurredOn,
            };
        }

        if (IsNewest(fact))
        {
            // The one step a snapshot without its facts can take: the facts, when known, get one more.
            return next with
            {
                Facts = Facts?.Add(fact),
                NewestFactOn = fact.OccurredOn,
                NewestFactVersion = fact.Version,
                Lifecycle = Agreements.Lifecycle.Evolve(Lifecycle, fact),
            };
        }

        var facts = KnownFacts.Add(fact).Sort(Agreements.Lifecycle.EffectiveOrder);
        return next.WithFacts(facts) with { Lifecycle = Agreements.Lifecycle.Replay(facts).State };
    }

    /// <summary>
    /// The lifecycle state as the facts dated on or before <paramref name="day"/> leave it: where a fact of that day
    /// recorded next is placed (an entry into force works out its default parties there).
    /// </summary>
    public LifecycleState StateOn(DateOnly day) => NewestFactOn is { } newest && newest <= day
        ? Lifecycle
        : Agreements.Lifecycle.Replay(KnownFacts.Where(f => f.OccurredOn <= day)).State;

    /// <summary>The first break if <paramref name="event"/> were recorded next, or null when it fits.</summary>
    public LifecycleBreak? WouldBreak(IAgreementEvent @event)
    {
        var fact = new LifecycleFact(Version + 1, @event);
        // A fact after every known one in effective order meets exactly the current state (the
        // known facts are kept in that order and never break): one step instead of a replay.
        if (IsNewest(fact))
        {
            return Agreements.Lifecycle.Refusal(Lifecycle, @event) is { } reason ? new LifecycleBreak(fact, reason) : null;
        }

        return Agreements.Lifecycle.Replay(KnownFacts.Add(fact)).Break;
    }

    /// <summary>
    /// Whether <paramref name="fact"/> comes after every known fact in effective order (occurredOn, then
    /// version), judged by the newest fact's key; a snapshot stored before the key was kept asks the facts.
    /// </summary>
    private bool IsNewest(LifecycleFact fact)
    {
        if (NewestFactVersion > 0)
        {
            return Agreements.Lifecycle.CompareEffective(fact.OccurredOn, fact.Version, NewestFactOn!.Value, NewestFactVersion) > 0;
        }

        var facts = KnownFacts;
        return facts.IsEmpty || Agreements.Lifecycle.EffectiveOrder.Compare(facts[^1], fact) < 0;
    }

    /// <summary>This agreement with <paramref name="facts"/> (in effective order) as its facts, and the newest one's key.</summary>
    private Agreement WithFacts(ImmutableList<LifecycleFact> facts) => this with
    {
        Facts = facts,
        NewestFactOn = facts.IsEmpty ? null : facts[^1].OccurredOn,
        NewestFactVersion = facts.IsEmpty ? 0 : facts[^1].Version,
    };
}
