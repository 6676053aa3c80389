using System.Collections.Immutable;
using AgreementLedger.Ledger;

namespace AgreementLedger.Agreements.Checkpoints;

/// <summary>
/// The fold's state after one version of an agreement (<see cref="Agreement.Replay"/> of its first
/// <see cref="Version"/> events), as much of it as the answer shows and as folding on needs when the next
/// events come after every fact in effective order: the header, the lifecycle state, the effective key of
/// the newest fact, whether the lifecycle's replay stopped at a break, and the versions retracted before
/// they were recorded (none, in a history the commands admitted). It leaves out the facts themselves, so
/// an event dated at or before the newest fact, or a retraction, cannot be folded on from here
/// (<see cref="Step"/> answers null): those are folded from the events. The state after a version never
/// changes (streams are append-only), so a state kept for a version stays true.
/// </summary>
public sealed record VersionState(
    string Id,
    string Title,
    string Kind,
    ImmutableList<string> Areas,
    DateOnly ProposedOn,
    long Version,
    string LastHash,
    DateTimeOffset LastRecordedAt,
    LifecycleState Lifecycle,
    DateOnly? NewestFactOn,
    long NewestFactVersion,
    bool Broken,
    ImmutableList<long> RetractedAhead)
{
    /// <summary>Before the first event.</summary>
    public static VersionState Empty { get; } = new("", "", "", [], default, 0, EventHash.Genesis, default, LifecycleState.Empty, null, 0, false, []);

    /// <summary>The state of an agreement folded from its events by <see cref="Agreement.Replay"/> (without effectiveOn).</summary>
    public static VersionState Of(Agreement agreement) => new(
        agreement.Id,
        agreement.Title,
        agreement.Kind,
        agreement.Areas,
        agreement.ProposedOn,
        agreement.Version,
        agreement.LastHash,
        agreement.LastRecordedAt,
        agreement.Lifecycle,
        agreement.NewestFactOn,
        agreement.NewestFactVersion,
        // Replay keeps the state before the first break and passes over every later fact.
        Agreements.Lifecycle.Replay(agreement.KnownFacts).Break is not null,
        [.. agreement.RetractedVersions.Where(v => v > agreement.Version)]);

    /// <summary>
    /// This state with <paramref name="e"/>, the next event, folded in exactly as <see cref="Agreement.Replay"/>
    /// folds it; null when that needs the facts this state leaves out: a retraction, a fact that does not come
    /// after every fact in effective order (occurredOn, then version), a version retracted ahead, or a first
    /// event that is not the proposal (no agreement: the fold from the events says so).
    /// </summary>
    public VersionState? Step(StoredEvent e)
    {
        if (e.Data is EventRetracted || RetractedAhead.Contains(e.Version) || (Version == 0 && e.Data is not AgreementProposed))
        {
            return null;
        }

        var next = this with { Version = e.Version, LastHash = e.Hash.Length > 0 ? e.Hash : LastHash, LastRecordedAt = e.RecordedAt };
        if (e.Data is not IAgreementEvent @event)
        {
            return next;
        }

        // The new fact must come after the newest one in effective order.
        if (NewestFactOn is { } newest && Agreements.Lifecycle.CompareEffective(@event.OccurredOn, e.Version, newest, NewestFactVersion) <= 0)
        {
            return null;
        }

        if (@event is AgreementProposed proposed)
        {
            next = next with { Id = proposed.Id, Title = proposed.Title, Kind = proposed.Kind, Areas = [.. proposed.Areas], ProposedOn = proposed.OccurredOn };
        }

        next = next with { NewestFactOn = @event.OccurredOn, NewestFactVersion = e.Version };
        if (Broken)
        {
            return next;
        }

        return Agreements.Lifecycle.Refusal(Lifecycle, @event) is null
            ? next with { Lifecycle = Agreements.Lifecycle.Evolve(Lifecycle, new LifecycleFact(e.Version, @event)) }
            : next with { Broken = true };
    }

    /// <summary>
    /// The agreement this state describes, for its view (<see cref="GettingDetails.AgreementDetails.From"/>):
    /// without the facts and retracted versions, which the view does not read.
    /// </summary>
    public Agreement ToAgreement() => new()
    {
        Id = Id,
        Version = Version,
        Title = Title,
        Kind = Kind,
        Areas = Areas,
        ProposedOn = ProposedOn,
        Lifecycle = Lifecycle,
        LastHash = LastHash,
        LastRecordedAt = LastRecordedAt,
    };

    /// <summary>
    /// As read back from JSON: the lifecycle's sorted maps with the ordinal comparers the fold builds them
    /// with (a deserialised sorted map gets the default comparer), so they list their keys in the same order.
    /// </summary>
    public VersionState AsFolded() => this with
    {
        Lifecycle = Lifecycle with
        {
            Funding = Lifecycle.Funding.WithComparers(StringComparer.Ordinal),
            Reached = Lifecycle.Reached.WithComparers(StringComparer.Ordinal),
        },
    };

    /// <summary>
    /// How many items the state holds (the lists the answer shows): a checkpoint costs about this much to
    /// read, store and answer from, whatever the events between.
    /// </summary>
    public long Items =>
        Areas.Count + Lifecycle.Parties.Count + Lifecycle.Signatories.Count + Lifecycle.Funding.Count + Lifecycle.Deliverables.Count
        + Lifecycle.Targets.Count + Lifecycle.Reached.Count + Lifecycle.Sources.Count + Lifecycle.Amendments.Count;
}
