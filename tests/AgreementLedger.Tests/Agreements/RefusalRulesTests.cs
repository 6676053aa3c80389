using AgreementLedger.Agreements;
using AgreementLedger.Agreements.TreatyLaw;
using AgreementLedger.Tests.Support;

namespace AgreementLedger.Tests.Agreements;

/// <summary>
/// The 409's structured members as a table: each row is a history (versions 1, 2, … after the proposal by JP and GB on
/// 2026-01-15) and the event recorded next, with the rule code, the field it lands at, the recorded event it conflicts
/// with (null when it rests on an absence) and the plain sentence it says.
/// </summary>
public sealed class RefusalRulesTests
{
    private static readonly DateOnly Jan = Slices.ProposedOn;

    private static DateOnly Day(int month, int day) => new(2026, month, day);

    private static PartySigned Signs(string party, DateOnly? on = null) => new(party, on ?? Jan, null, null);

    private static ConsentExpressed Ratifies(string party, DateOnly on) => new(party, TreatyRules.Ratification, on, null, null, null, null);

    public static TheoryData<string, object[], IAgreementEvent, string, string?, long?, string> Table => new()
    {
        { "a non-party signs", [], new PartySigned("NZ", Day(2, 1), null, null), RuleCodes.PartyNotMember, "party", null, "NZ is not a party: add it first" },
        { "a party signs twice", [Signs("JP", Day(1, 20))], Signs("JP", Day(2, 1)), RuleCodes.AlreadySigned, "party", 2, "JP already signed on 2026-01-20 (event 2)" },
        { "a party joins twice", [], new PartyJoined("GB", Day(2, 1)), RuleCodes.AlreadyParty, "party", 1, "GB is already a party (event 1)" },
        { "a round once funded", [Signs("JP"), Signs("GB"), new FundingCommitted("JP", 5, "EUR", null, Day(2, 1))], new NegotiationRoundHeld(Day(3, 1), null, [], null),
            RuleCodes.StageNotAllowed, null, 4, "A negotiation round can be held only while the agreement is Proposed or Negotiating; it has been Funded since 2026-02-01 (event 4)" },
        { "funding before every party signed", [Signs("JP")], new FundingCommitted("JP", 5, "EUR", null, Day(2, 1)),
            RuleCodes.StageNotAllowed, null, 1, "Funding can be committed only while the agreement is Signed, Funded or Delivered; it has been Proposed since 2026-01-15 (event 1)" },
        { "a citation once terminated", [Signs("JP"), Signs("GB"), new AgreementTerminated("x", Day(2, 1))], new SourceCited("MOFA", null, null, null, Day(3, 1)),
            RuleCodes.AgreementFinal, null, 4, "The agreement has been Terminated since 2026-02-01 (event 4), which is final" },
        { "a deliverable planned twice", [new DeliverablePlanned("d1", "Radar", null, Day(1, 20))], new DeliverablePlanned("d1", "Radar", null, Day(2, 1)),
            RuleCodes.DeliverableAlreadyPlanned, "deliverableId", 2, "Deliverable 'd1' is already planned (event 2)" },
        { "an unplanned delivery", [Signs("JP"), Signs("GB")], new DeliverableDelivered("d9", Day(2, 1), null), RuleCodes.DeliverableNotPlanned, "deliverableId", null, "Deliverable 'd9' is not planned: plan it first" },
        { "a delivery twice", [new DeliverablePlanned("d1", "Radar", null, Jan), new DeliverablePlanned("d2", "Jet", null, Jan), Signs("JP"), Signs("GB"), new DeliverableDelivered("d1", Day(2, 1), null)],
            new DeliverableDelivered("d1", Day(3, 1), null), RuleCodes.DeliverableAlreadyDelivered, "deliverableId", 6, "Deliverable 'd1' was already delivered on 2026-02-01 (event 6)" },
        { "a ratification twice", [Signs("JP"), Ratifies("JP", Day(2, 1))], Ratifies("JP", Day(3, 1)), RuleCodes.AlreadyConsented, "party", 3, "JP already consented to be bound (ratification on 2026-02-01) (event 3)" },
        { "a ratification without signature", [], Ratifies("JP", Day(2, 1)), RuleCodes.NotSigned, "party", null, "JP has not signed" },
        { "an accession by a signatory", [Signs("JP"), Signs("GB")], new ConsentExpressed("JP", TreatyRules.Accession, Day(2, 1), null, null, null, null),
            RuleCodes.SignatoryCannotAccede, "party", 2, "JP has signed (event 2): a signatory ratifies" },
        { "an entry into force for a party that has not consented", [Signs("JP")], new EnteredIntoForce(Day(2, 1), ["JP"], null), RuleCodes.NotConsented, "parties", null, "JP has not consented to be bound" },
        { "an entry into force twice", [Signs("JP"), Ratifies("JP", Day(2, 1)), new EnteredIntoForce(Day(2, 2), ["JP"], null)], new EnteredIntoForce(Day(3, 1), ["JP"], null),
            RuleCodes.AlreadyInForce, "parties", 4, "The agreement is already in force for JP (since 2026-02-02) (event 4)" },
        { "an objection to no reservation", [Signs("JP")], new ReservationMade("JP", TreatyRules.Objection, "t", 2, Day(3, 1)), RuleCodes.ReservationNotStanding, "refersTo", null, "Event 2 is not a reservation" },
        { "a denunciation twice", [Signs("JP"), Ratifies("JP", Day(2, 1)), new PartyWithdrew("JP", Day(3, 1), Day(9, 1), null)], new PartyWithdrew("JP", Day(4, 1), Day(4, 1), null),
            RuleCodes.AlreadyWithdrawn, "party", 4, "JP already withdrew on 2026-03-01 (event 4)" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void each_refusal_names_its_rule_field_and_the_event_it_conflicts_with(string row, object[] history, IAgreementEvent next, string rule, string? field, long? conflictsWith, string message)
    {
        var agreement = Slices.History([Slices.Proposal(), .. history]);

        var conflict = Assert.IsType<Decision.Conflicting>(agreement.Admit(next), exactMatch: true).Members;

        Assert.Equal((rule, field, conflictsWith), (conflict.Rule, conflict.Field, conflict.ConflictsWith?.Version));
        Assert.StartsWith(message, conflict.Message, StringComparison.Ordinal);
        Assert.Equal(new ConflictEvent(agreement.Version + 1, EventTypeNames.Catalogue.NameOf(next), next.OccurredOn, Recorded: false), conflict.BreaksAt);
        Assert.StartsWith(conflict.Message + ". Recording this would break the lifecycle at event " + (agreement.Version + 1), conflict.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(row));
    }

    [Fact]
    public void a_fact_dated_before_later_ones_names_the_later_event_it_displaces_at_its_date()
    {
        var agreement = Slices.History(Slices.Proposal(), Signs("JP", Day(2, 1)), Signs("GB", Day(2, 1)), new FundingCommitted("JP", 5, "EUR", null, Day(3, 1)));

        var conflict = Assert.IsType<Decision.Conflicting>(agreement.Admit(new AgreementWithdrawn("x", Day(1, 20)))).Members;

        Assert.Equal((RuleCodes.StageNotAllowed, "occurredOn", "Withdrawn"), (conflict.Rule, conflict.Field, conflict.Status));
        Assert.Equal(["Proposed", "Negotiating", "Negotiated"], conflict.AllowedStatuses!);
        Assert.Equal(new ConflictEvent(2, "party_signed", Day(2, 1), Recorded: true), conflict.BreaksAt);
        Assert.Equal(new ConflictEvent(5, "agreement_withdrawn", Day(1, 20), Recorded: false), conflict.ConflictsWith);
        Assert.StartsWith("Event 2 (party_signed) on 2026-02-01 would no longer fit: JP can sign only while", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_retraction_names_the_rule_of_the_event_it_would_break_or_why_its_target_cannot_go()
    {
        var agreement = Slices.History(Slices.Proposal(), Signs("JP"), Signs("GB"), new FundingCommitted("JP", 5, "EUR", null, Day(2, 1)),
            new DeliverablePlanned("d1", "Radar", null, Day(2, 1)), new EventRetracted(5, "typo"));

        var breaking = Assert.IsType<Decision.Conflicting>(agreement.Admit(new EventRetracted(2, "wrong"))).Members;
        var proposal = Assert.IsType<Decision.Conflicting>(agreement.Admit(new EventRetracted(1, "wrong"))).Members;
        var again = Assert.IsType<Decision.Conflicting>(agreement.Admit(new EventRetracted(5, "wrong"))).Members;
        var retraction = Assert.IsType<Decision.Conflicting>(agreement.Admit(new EventRetracted(6, "wrong"))).Members;

        Assert.Equal((RuleCodes.StageNotAllowed, "version", 4L, 1L), (breaking.Rule, breaking.Field, breaking.BreaksAt?.Version, breaking.ConflictsWith?.Version));
        Assert.StartsWith("Event 4 (funding_committed) on 2026-02-01 would no longer fit: Funding can be committed only while", breaking.Detail, StringComparison.Ordinal);
        Assert.Contains("Retracting event 2 would break the lifecycle at event 4 (funding_committed) on 2026-02-01.", breaking.Detail, StringComparison.Ordinal);
        Assert.Equal((RuleCodes.ProposalNotRetractable, "version", "1"), (proposal.Rule, proposal.Field, proposal.Subject));
        Assert.Equal(RuleCodes.AlreadyRetracted, again.Rule);
        Assert.Equal(RuleCodes.RetractionNotRetractable, retraction.Rule);
    }
}
