using System.Collections.Immutable;

namespace AgreementLedger.Agreements.TreatyLaw;

/// <summary>
/// One party's standing under the treaty (the depositary's status table, docs/api.md "Treaty law"), as the facts
/// in effective order leave it. A consent made again after a withdrawal took effect starts a new standing.
/// </summary>
public sealed record PartyStanding(
    string Party,
    string? Instrument = null,
    DateOnly? ConsentOn = null,
    DateOnly? ProvisionalFrom = null,
    DateOnly? InForceOn = null,
    DateOnly? WithdrawnOn = null,
    DateOnly? WithdrawalEffectiveOn = null)
{
    /// <summary>Whether the party's consent stands on <paramref name="day"/>: given, and no withdrawal has taken effect by then.</summary>
    public bool ConsentStandsOn(DateOnly day) => ConsentOn is not null && !(WithdrawalEffectiveOn <= day);

    /// <summary>In force from its entry into force until its withdrawal's effectiveOn.</summary>
    public bool InForceOnDay(DateOnly day) => InForceOn <= day && !(WithdrawalEffectiveOn <= day);
}

/// <summary>A <c>reservation_made</c> event as it stands: <see cref="Withdrawn"/> once a withdrawal referred to it.</summary>
public sealed record Reservation(long Version, string Party, string Kind, string Text, DateOnly On, long? RefersTo, bool Withdrawn = false);

/// <summary>The treaty-law facts of an agreement: each party's standing (in the order they first appear) and every reservation.</summary>
public sealed record TreatyState(ImmutableList<PartyStanding> Standings, ImmutableList<Reservation> Reservations, DateOnly? FirstInForceOn)
{
    public static TreatyState Empty { get; } = new([], [], null);

    public PartyStanding Of(string party) => Standings.FirstOrDefault(s => s.Party == party) ?? new PartyStanding(party);

    private TreatyState With(PartyStanding standing)
    {
        var index = Standings.FindIndex(s => s.Party == standing.Party);
        return this with { Standings = index < 0 ? Standings.Add(standing) : Standings.SetItem(index, standing) };
    }

    public TreatyState Update(string party, Func<PartyStanding, PartyStanding> change) => With(change(Of(party)));
}

/// <summary>The rules of the five treaty-law events, judged like every other fact (<see cref="Lifecycle"/> calls these).</summary>
public static class TreatyRules
{
    public const string Ratification = "ratification";
    public const string Acceptance = "acceptance";
    public const string Approval = "approval";
    public const string Accession = "accession";
    public const string DefinitiveSignature = "definitive-signature";
    public const string Succession = "succession";

    public static readonly IReadOnlySet<string> Instruments = new HashSet<string>(StringComparer.Ordinal)
        { Ratification, Acceptance, Approval, Accession, DefinitiveSignature, Succession };

    public const string ReservationKind = "reservation";
    public const string Declaration = "declaration";
    public const string Objection = "objection";
    public const string Withdrawal = "withdrawal";

    public static readonly IReadOnlySet<string> ReservationKinds = new HashSet<string>(StringComparer.Ordinal)
        { ReservationKind, Declaration, Objection, Withdrawal };

    private static readonly AgreementStatus[] AfterSignature =
        [AgreementStatus.Signed, AgreementStatus.Funded, AgreementStatus.Delivered, AgreementStatus.Suspended];

    public static bool Handles(IAgreementEvent @event) =>
        @event is ConsentExpressed or EnteredIntoForce or ProvisionalApplicationStarted or ReservationMade or PartyWithdrew;

    /// <summary>
    /// The parties an entry into force on <paramref name="day"/> is for when the command names none: those that, with
    /// <paramref name="state"/> as the facts up to that day leave it, have consented, are not in force and have not withdrawn.
    /// </summary>
    public static IReadOnlyList<string> DefaultParties(LifecycleState state, DateOnly day) =>
        [.. state.Treaty.Standings.Where(s => s.ConsentStandsOn(day) && !s.InForceOnDay(day) && s.WithdrawnOn is null).Select(s => s.Party)];

    /// <summary>Why the treaty-law event may not follow the state, or null when it may.</summary>
    public static LifecycleRefusal? Refusal(LifecycleState state, IAgreementEvent @event)
    {
        if (@event is ConsentExpressed { Instrument: DefinitiveSignature } definitive)
        {
            return Consented(state, definitive) ?? Lifecycle.Refusal(state, AsSignature(definitive));
        }

        if (state.IsFinal)
        {
            return LifecycleRefusal.Final(state.Status);
        }

        var treaty = state.Treaty;
        switch (@event)
        {
            case ConsentExpressed consent:
                return Consented(state, consent) ?? ConsentAfterSignature(state, consent);
            case EnteredIntoForce entry:
                if (entry.Parties.Count == 0)
                {
                    return new(RuleCodes.NothingToEnterIntoForce, "No party has consented and is not yet in force on that day: there is nothing to enter into force")
                    {
                        Field = "parties",
                    };
                }

                foreach (var party in entry.Parties)
                {
                    var standing = treaty.Of(party);
                    if (!standing.ConsentStandsOn(entry.OccurredOn))
                    {
                        return new(RuleCodes.NotConsented, $"{party} has not consented to be bound: record its consent first") { Field = "parties", Subject = party };
                    }

                    if (standing.InForceOnDay(entry.OccurredOn))
                    {
                        return InForceAlready(party, standing, "parties");
                    }
                }

                return null;
            case ProvisionalApplicationStarted provisional:
                return !Signed(state, provisional.Party) ? new(RuleCodes.NotSigned, $"{provisional.Party} has not signed: a party applies provisionally after signing") { Field = "party", Subject = provisional.Party }
                    : treaty.Of(provisional.Party) is var own && own.InForceOnDay(provisional.OccurredOn) ? InForceAlready(provisional.Party, own, "party")
                    : null;
            case ReservationMade reservation:
                if (!state.Parties.Contains(reservation.Party))
                {
                    return new(RuleCodes.PartyNotMember, $"{reservation.Party} is not a party: add it first") { Field = "party", Subject = reservation.Party };
                }

                return reservation.RefersTo is { } refersTo && !treaty.Reservations.Any(r => r.Version == refersTo && r.Kind != Withdrawal && !r.Withdrawn)
                    ? new(RuleCodes.ReservationNotStanding, $"Event {refersTo} is not a reservation, declaration or objection that stands") { Field = "refersTo" }
                    : null;
            case PartyWithdrew withdrew:
                var standingNow = treaty.Of(withdrew.Party);
                return standingNow.ConsentOn is null
                    ? new(RuleCodes.NotConsented, $"{withdrew.Party} has not consented to be bound, so it cannot withdraw") { Field = "party", Subject = withdrew.Party }
                    : standingNow.WithdrawnOn is { } before
                        ? new(RuleCodes.AlreadyWithdrawn, $"{withdrew.Party} already withdrew on {before:yyyy-MM-dd}{{event}}")
                        {
                            Field = "party", Subject = withdrew.Party, RestsOn = s => s.Treaty.Of(withdrew.Party).WithdrawnOn,
                        }
                        : null;
            default:
                return null;
        }
    }

    /// <summary>Folds one allowed treaty-law fact.</summary>
    public static LifecycleState Evolve(LifecycleState state, LifecycleFact fact)
    {
        var day = fact.OccurredOn;
        var treaty = state.Treaty;
        switch (fact.Event)
        {
            case ConsentExpressed consent:
                var fresh = treaty.Of(consent.Party) is { } was && was.ConsentOn is not null && !was.ConsentStandsOn(day) ? new PartyStanding(consent.Party) : treaty.Of(consent.Party);
                treaty = treaty.Update(consent.Party, _ => fresh with { Instrument = consent.Instrument, ConsentOn = day });
                if (consent.Instrument == DefinitiveSignature)
                {
                    state = Lifecycle.Sign(state, AsSignature(consent));
                }
                else if (consent.Instrument is Accession or Succession && !state.Parties.Contains(consent.Party))
                {
                    state = state with { Parties = state.Parties.Add(consent.Party) };
                }

                break;
            case EnteredIntoForce entry:
                foreach (var party in entry.Parties)
                {
                    treaty = treaty.Update(party, s => s with { InForceOn = day });
                }

                treaty = treaty with { FirstInForceOn = treaty.FirstInForceOn ?? day };
                break;
            case ProvisionalApplicationStarted provisional:
                treaty = treaty.Update(provisional.Party, s => s with { ProvisionalFrom = day });
                break;
            case ReservationMade reservation:
                var reservations = treaty.Reservations;
                if (reservation.Kind == Withdrawal)
                {
                    reservations = [.. reservations.Select(r => r.Version == reservation.RefersTo ? r with { Withdrawn = true } : r)];
                }

                treaty = treaty with
                {
                    Reservations = reservations.Add(new Reservation(fact.Version, reservation.Party, reservation.Kind, reservation.Text, day, reservation.RefersTo)),
                };
                break;
            case PartyWithdrew withdrew:
                treaty = treaty.Update(withdrew.Party, s => s with { WithdrawnOn = day, WithdrawalEffectiveOn = withdrew.EffectiveOn });
                break;
        }

        return state with { Treaty = treaty };
    }

    /// <summary>On <paramref name="day"/> some party is in force and the agreement is not terminated.</summary>
    public static bool InForce(LifecycleState state, DateOnly day) =>
        state.Status != AgreementStatus.Terminated && state.Treaty.Standings.Any(s => s.InForceOnDay(day));

    private static LifecycleRefusal? Consented(LifecycleState state, ConsentExpressed consent) =>
        state.Treaty.Of(consent.Party) is { } standing && standing.ConsentStandsOn(consent.OccurredOn)
            ? new(RuleCodes.AlreadyConsented, $"{consent.Party} already consented to be bound ({standing.Instrument} on {standing.ConsentOn:yyyy-MM-dd}){{event}} and has not withdrawn")
            {
                Field = "party", Subject = consent.Party, RestsOn = s => s.Treaty.Of(consent.Party).ConsentOn,
            }
            : null;

    /// <summary>A ratification, acceptance or approval follows the party's signature; an accession or succession is by a party that has not signed, once the agreement is signed.</summary>
    private static LifecycleRefusal? ConsentAfterSignature(LifecycleState state, ConsentExpressed consent)
    {
        var signed = Signed(state, consent.Party);
        if (consent.Instrument is not (Accession or Succession))
        {
            return signed ? null : new(RuleCodes.NotSigned, $"{consent.Party} has not signed: {consent.Instrument} follows a signature (a state that has not signed accedes)")
            {
                Field = "party", Subject = consent.Party,
            };
        }

        return signed
            ? new(RuleCodes.SignatoryCannotAccede, $"{consent.Party} has signed{{event}}: a signatory ratifies, accepts or approves")
            {
                Field = "party", Subject = consent.Party, RestsOn = s => Signed(s, consent.Party),
            }
            : !AfterSignature.Contains(state.Status) ? LifecycleRefusal.Stage(consent, state.Status, AfterSignature) : null;
    }

    private static LifecycleRefusal InForceAlready(string party, PartyStanding standing, string field) =>
        new(RuleCodes.AlreadyInForce, $"The agreement is already in force for {party} (since {standing.InForceOn:yyyy-MM-dd}){{event}}")
        {
            Field = field, Subject = party, RestsOn = s => s.Treaty.Of(party).InForceOn,
        };

    private static bool Signed(LifecycleState state, string party) => state.Signatories.Any(s => s.Party == party);

    private static PartySigned AsSignature(ConsentExpressed consent) => new(consent.Party, consent.OccurredOn, consent.SignedBy, consent.Place);
}
