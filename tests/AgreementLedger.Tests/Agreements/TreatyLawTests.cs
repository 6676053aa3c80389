using AgreementLedger.Agreements;
using AgreementLedger.Agreements.TreatyLaw;
using AgreementLedger.Tests.Support;

namespace AgreementLedger.Tests.Agreements;

/// <summary>
/// The treaty-law rules of docs/api.md as a table: each row is a history (recorded in order as versions 1, 2, …)
/// and the event recorded next, with the refusal expected (a fragment of the 409's detail) or null when it fits.
/// Proposed on 2026-01-15 by JP and GB (<see cref="Slices.Proposal"/>).
/// </summary>
public sealed class TreatyLawTests
{
    private static readonly DateOnly Jan = Slices.ProposedOn;

    private static DateOnly Day(int month, int day) => new(2026, month, day);

    private static PartySigned Signs(string party, DateOnly? on = null) => new(party, on ?? Jan, null, null);

    private static ConsentExpressed Consents(string party, string instrument, DateOnly on) => new(party, instrument, on, null, null, null, null);

    private static EnteredIntoForce InForce(DateOnly on, params string[] parties) => new(on, parties, null);

    private static PartyWithdrew Withdraws(string party, DateOnly on, DateOnly effective) => new(party, on, effective, null);

    private static ReservationMade Reserves(string party, string kind, long? refersTo = null, DateOnly? on = null) => new(party, kind, "text", refersTo, on ?? Day(3, 1));

    public static TheoryData<string, object[], IAgreementEvent, string?> Rules => new()
    {
        // Consent: ratification, acceptance and approval follow the party's signature.
        { "ratification after signature", [Signs("JP")], Consents("JP", TreatyRules.Ratification, Day(2, 1)), null },
        { "ratification without signature", [], Consents("JP", TreatyRules.Ratification, Day(2, 1)), "JP has not signed" },
        { "approval of a final agreement", [Signs("JP"), new AgreementWithdrawn("x", Day(1, 20))], Consents("JP", TreatyRules.Approval, Day(2, 1)), "final" },
        { "second consent while one stands", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1))], Consents("JP", TreatyRules.Acceptance, Day(3, 1)), "already consented" },
        { "consent again after the withdrawal took effect", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), Withdraws("JP", Day(3, 1), Day(4, 1))], Consents("JP", TreatyRules.Ratification, Day(5, 1)), null },
        { "consent again before the withdrawal takes effect", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), Withdraws("JP", Day(3, 1), Day(6, 1))], Consents("JP", TreatyRules.Ratification, Day(5, 1)), "already consented" },
        // Late knowledge: a ratification learned after the entry into force but dated before it fits; one dated before the signature it needs does not.
        { "ratification learned late, dated before the entry into force", [Signs("JP", Day(1, 20)), Signs("GB", Day(1, 20)), Consents("GB", TreatyRules.Ratification, Day(2, 1)), InForce(Day(3, 1), "GB")], Consents("JP", TreatyRules.Ratification, Day(2, 15)), null },
        { "ratification dated before the signature it needs", [Signs("JP", Day(2, 1))], Consents("JP", TreatyRules.Ratification, Day(1, 20)), "JP has not signed" },
        // Accession and succession: a state that has not signed, once the agreement is signed.
        { "accession once signed", [Signs("JP"), Signs("GB")], Consents("KR", TreatyRules.Accession, Day(2, 1)), null },
        { "accession before the signature", [Signs("JP")], Consents("KR", TreatyRules.Accession, Day(2, 1)), "only while the agreement is Signed, Funded, Delivered or Suspended" },
        { "accession by a signatory", [Signs("JP"), Signs("GB")], Consents("JP", TreatyRules.Accession, Day(2, 1)), "JP has signed" },
        { "succession while suspended", [Signs("JP"), Signs("GB"), new AgreementSuspended("x", Day(1, 20))], Consents("KR", TreatyRules.Succession, Day(2, 1)), null },
        // Definitive signature: wherever party_signed is allowed.
        { "definitive signature by a party", [], Consents("JP", TreatyRules.DefinitiveSignature, Day(2, 1)), null },
        { "definitive signature by a non-party", [], Consents("KR", TreatyRules.DefinitiveSignature, Day(2, 1)), "KR is not a party" },
        { "definitive signature after signing", [Signs("JP")], Consents("JP", TreatyRules.DefinitiveSignature, Day(2, 1)), "already signed" },
        // Entry into force: for parties that have consented there and are not in force.
        { "entry into force for a consenting party", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1))], InForce(Day(3, 1), "JP"), null },
        { "entry into force for a party that has not consented", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1))], InForce(Day(3, 1), "JP", "GB"), "GB has not consented" },
        { "entry into force dated before the consent", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(4, 1))], InForce(Day(3, 1), "JP"), "JP has not consented" },
        { "entry into force twice", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), InForce(Day(3, 1), "JP")], InForce(Day(4, 1), "JP"), "already in force for JP" },
        { "entry into force for nobody", [Signs("JP")], InForce(Day(3, 1)), "nothing to enter into force" },
        { "entry into force again after a withdrawal took effect and a new consent", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), InForce(Day(2, 2), "JP"), Withdraws("JP", Day(3, 1), Day(3, 2)), Consents("JP", TreatyRules.Ratification, Day(4, 1))], InForce(Day(5, 1), "JP"), null },
        // Provisional application: a signatory not in force.
        { "provisional application by a signatory", [Signs("JP")], new ProvisionalApplicationStarted("JP", Day(2, 1), null), null },
        { "provisional application without signature", [], new ProvisionalApplicationStarted("JP", Day(2, 1), null), "JP has not signed" },
        { "provisional application once in force", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), InForce(Day(2, 2), "JP")], new ProvisionalApplicationStarted("JP", Day(3, 1), null), "already in force" },
        // Reservations: by a party; objections and withdrawals refer to one that stands.
        { "reservation by a party", [], Reserves("GB", TreatyRules.ReservationKind), null },
        { "reservation by a non-party", [], Reserves("KR", TreatyRules.Declaration), "KR is not a party" },
        { "objection to a reservation", [Reserves("GB", TreatyRules.ReservationKind)], Reserves("JP", TreatyRules.Objection, refersTo: 2), null },
        { "objection to a version that is no reservation", [Signs("JP")], Reserves("JP", TreatyRules.Objection, refersTo: 2), "Event 2 is not a reservation" },
        { "withdrawal of a withdrawn reservation", [Reserves("GB", TreatyRules.ReservationKind), Reserves("GB", TreatyRules.Withdrawal, refersTo: 2)], Reserves("GB", TreatyRules.Withdrawal, refersTo: 2, on: Day(3, 2)), "Event 2 is not a reservation" },
        { "objection dated before the reservation", [Reserves("GB", TreatyRules.ReservationKind, on: Day(3, 1))], Reserves("JP", TreatyRules.Objection, refersTo: 2, on: Day(2, 1)), "Event 2 is not a reservation" },
        // Withdrawal (denunciation): a party that has consented and has not withdrawn since.
        { "withdrawal after consent", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1))], Withdraws("JP", Day(3, 1), Day(9, 1)), null },
        { "withdrawal without consent", [Signs("JP")], Withdraws("JP", Day(3, 1), Day(3, 1)), "JP has not consented" },
        { "withdrawal twice", [Signs("JP"), Consents("JP", TreatyRules.Ratification, Day(2, 1)), Withdraws("JP", Day(3, 1), Day(9, 1))], Withdraws("JP", Day(4, 1), Day(4, 1)), "already withdrew" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void each_treaty_law_event_is_judged_in_effective_time(string rule, object[] history, IAgreementEvent next, string? refusal)
    {
        var agreement = Slices.History([Slices.Proposal(), .. history]);
        var decision = agreement.Admit(next);
        if (refusal is null)
        {
            Assert.True(decision is Decision.Accepted, $"{rule}: {decision}");
        }
        else
        {
            Assert.Contains(refusal, Assert.IsType<Decision.Conflicting>(decision).Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void an_entry_into_force_without_parties_is_for_those_that_consented_by_its_day_and_stores_them()
    {
        var agreement = Slices.History(Slices.Proposal("JP", "GB", "IT"), Signs("JP"), Signs("GB"), Signs("IT"),
            Consents("JP", TreatyRules.Ratification, Day(2, 1)), Consents("GB", TreatyRules.Ratification, Day(4, 1)), Consents("IT", TreatyRules.Ratification, Day(2, 10)));

        var entry = EnterIntoForceEndpoint.Event(new EnterIntoForce(Day(3, 1), null, null), agreement, Slices.Today);

        Assert.Equal(["JP", "IT"], entry.Parties);
        var inForce = Slices.History(Slices.Proposal("JP", "GB", "IT"), Signs("JP"), Signs("GB"), Signs("IT"),
            Consents("JP", TreatyRules.Ratification, Day(2, 1)), Consents("GB", TreatyRules.Ratification, Day(4, 1)), Consents("IT", TreatyRules.Ratification, Day(2, 10)), entry);
        // A consent recorded late but dated before the entry into force does not put its party in force.
        var late = inForce.Admit(Consents("GB", TreatyRules.Ratification, Day(2, 20)));
        Assert.Contains("already consented", Assert.IsType<Decision.Conflicting>(late).Detail, StringComparison.Ordinal);
        Assert.Null(inForce.Lifecycle.Treaty.Of("GB").InForceOn);
        Assert.Equal(Day(3, 1), inForce.Lifecycle.Treaty.Of("IT").InForceOn);
        Assert.Equal(Day(3, 1), inForce.Lifecycle.Treaty.FirstInForceOn);
    }

    [Fact]
    public void a_withdrawal_counts_from_its_effective_date_and_in_force_ends_then()
    {
        var agreement = Slices.Signed(Consents("JP", TreatyRules.Ratification, Day(2, 1)), InForce(Day(3, 1), "JP"), Withdraws("JP", Day(4, 1), Day(10, 1)));

        Assert.True(TreatyRules.InForce(agreement.Lifecycle, Day(9, 30)));
        Assert.False(TreatyRules.InForce(agreement.Lifecycle, Day(10, 1)));
        Assert.False(TreatyRules.InForce(agreement.Lifecycle, Day(2, 28)));
        Assert.Equal(Day(10, 1), agreement.Lifecycle.Treaty.Of("JP").WithdrawalEffectiveOn);
    }

    [Fact]
    public void a_definitive_signature_signs_and_consents_at_once_and_accession_adds_the_party()
    {
        var signed = Slices.History(Slices.Proposal(), Signs("JP"), Consents("GB", TreatyRules.DefinitiveSignature, Day(2, 1)), Consents("KR", TreatyRules.Accession, Day(3, 1)));

        Assert.Equal(AgreementStatus.Signed, signed.Lifecycle.Status);
        Assert.Equal(Day(2, 1), signed.Lifecycle.SignedOn);
        Assert.Equal(["JP", "GB", "KR"], signed.Lifecycle.Parties);
        Assert.Equal(TreatyRules.DefinitiveSignature, signed.Lifecycle.Treaty.Of("GB").Instrument);
        Assert.Equal(TreatyRules.Accession, signed.Lifecycle.Treaty.Of("KR").Instrument);
    }
}
