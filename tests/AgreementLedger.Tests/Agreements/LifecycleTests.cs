using System.Collections.Immutable;
using AgreementLedger.Agreements;

namespace AgreementLedger.Tests.Agreements;

public sealed class LifecycleTests
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    private static LifecycleState At(AgreementStatus status) =>
        LifecycleState.Empty with
        {
            Proposed = true,
            Status = status,
            Parties = ["JP", "GB"],
            Deliverables = [new Deliverable("d1", "Deliverable one", null, null)],
            SuspendedFrom = status == AgreementStatus.Suspended ? AgreementStatus.Funded : null,
            // IT has signed and ratified (outside the parties, so no signature completes: the treaty-law rows are judged on their status alone).
            Signatories = [new Signatory("IT", Day.AddDays(-2), null, null)],
            Treaty = AgreementLedger.Agreements.TreatyLaw.TreatyState.Empty.Update("IT", s => s with { Instrument = "ratification", ConsentOn = Day.AddDays(-1) }),
        };

    private static readonly AgreementStatus[] All = Enum.GetValues<AgreementStatus>();
    private static readonly AgreementStatus[] BeforeSignature = [AgreementStatus.Proposed, AgreementStatus.Negotiating, AgreementStatus.Negotiated];
    private static readonly AgreementStatus[] InForce = [AgreementStatus.Signed, AgreementStatus.Funded, AgreementStatus.Delivered];
    private static readonly AgreementStatus[] NotFinal = [.. All.Except([AgreementStatus.Terminated, AgreementStatus.Withdrawn])];

    /// <summary>docs/api.md "Lifecycle", transcribed: each command with the statuses it is allowed from.</summary>
    private static readonly (IAgreementEvent Event, AgreementStatus[] AllowedFrom)[] Rules =
    [
        (new NegotiationRoundHeld(Day, null, [], null), [AgreementStatus.Proposed, AgreementStatus.Negotiating]),
        (new TermsAgreed(Day, null), [AgreementStatus.Proposed, AgreementStatus.Negotiating]),
        (new PartySigned("JP", Day, null, null), BeforeSignature),
        (new PartyJoined("US", Day), BeforeSignature),
        (new DeliverablePlanned("d2", "Deliverable two", null, Day), NotFinal),
        (new FundingCommitted("EU", 10m, "EUR", null, Day), InForce),
        (new DeliverableDelivered("d1", Day, null), [AgreementStatus.Signed, AgreementStatus.Funded]),
        (new TargetSet("Signed", Day.AddYears(1), null, Day), NotFinal),
        (new SourceCited("Reuters", null, null, null, Day), NotFinal),
        (new AgreementAmended("New scope", Day), NotFinal),
        (new AgreementSuspended("Review", Day), InForce),
        (new AgreementResumed("Review done", Day), [AgreementStatus.Suspended]),
        (new AgreementTerminated("Ended", Day), [.. InForce, AgreementStatus.Suspended]),
        (new AgreementWithdrawn("Abandoned", Day), BeforeSignature),
        (new ConsentExpressed("US", "accession", Day, null, null, null, null), [.. InForce, AgreementStatus.Suspended]),
        (new EnteredIntoForce(Day, ["IT"], null), NotFinal),
        (new ProvisionalApplicationStarted("IT", Day, null), NotFinal),
        (new ReservationMade("JP", "reservation", "Text", null, Day), NotFinal),
        (new PartyWithdrew("IT", Day, Day, null), NotFinal),
    ];

    public static TheoryData<int, AgreementStatus, bool> Table()
    {
        var data = new TheoryData<int, AgreementStatus, bool>();
        for (var rule = 0; rule < Rules.Length; rule++)
        {
            foreach (var status in All)
            {
                data.Add(rule, status, Rules[rule].AllowedFrom.Contains(status));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void allows_each_command_exactly_from_the_statuses_of_the_table(int rule, AgreementStatus status, bool allowed)
    {
        var refusal = Lifecycle.Refusal(At(status), Rules[rule].Event);
        Assert.True(allowed == refusal is null, $"{EventTypeNames.Catalogue.NameOf(Rules[rule].Event)} from {status}: {refusal?.Message ?? "allowed"}");
    }

    [Fact]
    public void every_event_type_has_a_rule_in_the_table() =>
        Assert.Equal(
            EventTypeNames.ByType.Values.Where(t => t is not (EventTypeNames.AgreementProposed or EventTypeNames.EventRetracted)).Order(StringComparer.Ordinal),
            Rules.Select(r => EventTypeNames.Catalogue.NameOf(r.Event)).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData(0, AgreementStatus.Proposed, AgreementStatus.Negotiating)]
    [InlineData(1, AgreementStatus.Negotiating, AgreementStatus.Negotiated)]
    [InlineData(2, AgreementStatus.Negotiated, AgreementStatus.Negotiated)]
    [InlineData(3, AgreementStatus.Negotiating, AgreementStatus.Negotiating)]
    [InlineData(4, AgreementStatus.Signed, AgreementStatus.Signed)]
    [InlineData(5, AgreementStatus.Signed, AgreementStatus.Funded)]
    [InlineData(5, AgreementStatus.Delivered, AgreementStatus.Delivered)]
    [InlineData(6, AgreementStatus.Funded, AgreementStatus.Delivered)]
    [InlineData(8, AgreementStatus.Funded, AgreementStatus.Funded)]
    [InlineData(10, AgreementStatus.Delivered, AgreementStatus.Suspended)]
    [InlineData(11, AgreementStatus.Suspended, AgreementStatus.Funded)]
    [InlineData(12, AgreementStatus.Suspended, AgreementStatus.Terminated)]
    [InlineData(13, AgreementStatus.Negotiated, AgreementStatus.Withdrawn)]
    public void each_command_leaves_the_status_the_table_gives(int rule, AgreementStatus before, AgreementStatus after) =>
        Assert.Equal(after, Lifecycle.Evolve(At(before), new LifecycleFact(9, Rules[rule].Event)).Status);

    [Fact]
    public void planning_a_deliverable_reopens_delivery_at_the_stage_before_delivered()
    {
        var delivered = At(AgreementStatus.Delivered);
        var funded = delivered with { Funding = delivered.Funding.Add("EUR", 5m) };
        var plan = new LifecycleFact(9, Rules[4].Event);

        Assert.Equal(AgreementStatus.Signed, Lifecycle.Evolve(delivered, plan).Status);
        Assert.Equal(AgreementStatus.Funded, Lifecycle.Evolve(funded, plan).Status);
        var suspended = funded with { Status = AgreementStatus.Suspended, SuspendedFrom = AgreementStatus.Delivered };
        Assert.Equal(AgreementStatus.Funded, Lifecycle.Evolve(suspended, plan).SuspendedFrom);
    }

    [Fact]
    public void a_round_moves_to_negotiating_and_the_last_signature_to_signed()
    {
        var facts = new[]
        {
            Fact(1, Proposal("JP", "GB")),
            Fact(2, new NegotiationRoundHeld(Day, "Tokyo", [], null)),
            Fact(3, new PartySigned("GB", Day.AddDays(2), null, null)),
        };

        var (partly, _) = Lifecycle.Replay(facts);
        var (signed, broken) = Lifecycle.Replay(facts.Append(Fact(4, new PartySigned("JP", Day.AddDays(3), "PM", null))));

        Assert.Equal(AgreementStatus.Negotiating, partly.Status);
        Assert.Null(broken);
        Assert.Equal(AgreementStatus.Signed, signed.Status);
        Assert.Equal(Day.AddDays(3), signed.SignedOn);
    }

    [Fact]
    public void refuses_signatures_by_non_parties_and_second_signatures()
    {
        var state = At(AgreementStatus.Negotiating) with { Signatories = [new Signatory("JP", Day, null, null)] };

        var outsider = Lifecycle.Refusal(state, new PartySigned("US", Day, null, null));
        var twice = Lifecycle.Refusal(state, new PartySigned("JP", Day, null, null));

        Assert.Equal((RuleCodes.PartyNotMember, "US is not a party: add it first", "party"), (outsider?.Rule, outsider?.Text(null), outsider?.Field));
        Assert.Equal((RuleCodes.AlreadySigned, "JP already signed on 2024-03-01", "party"), (twice?.Rule, twice?.Text(null), twice?.Field));
    }

    [Fact]
    public void replay_names_the_first_fact_that_breaks_in_effective_order()
    {
        var facts = new[]
        {
            Fact(1, Proposal("JP")),
            Fact(2, new NegotiationRoundHeld(Day.AddDays(5), null, [], null)),
            Fact(3, new PartySigned("JP", Day, null, null)),
        };

        var (_, broken) = Lifecycle.Replay(facts);

        Assert.NotNull(broken);
        Assert.Equal(2, broken.Fact.Version);
        Assert.Equal("event 2 (negotiation_round_held) on 2024-03-06: A negotiation round can be held only while the agreement is Proposed or Negotiating; it has been Signed", broken.Describe());
    }

    [Fact]
    public void same_day_facts_keep_their_recording_order()
    {
        var facts = ImmutableList.Create(
            Fact(3, new PartySigned("JP", Day, null, null)),
            Fact(1, Proposal("JP")),
            Fact(2, new NegotiationRoundHeld(Day, null, [], null)));

        var ordered = facts.Sort(Lifecycle.EffectiveOrder).Select(f => f.Version);

        Assert.Equal([1L, 2L, 3L], ordered);
        Assert.Null(Lifecycle.Replay(facts).Break);
    }

    [Fact]
    public void the_write_model_folds_late_facts_into_the_same_state_as_in_order_facts()
    {
        var proposal = Proposal("JP", "GB");
        var round = new NegotiationRoundHeld(Day, null, [], null);
        var gb = new PartySigned("GB", Day.AddDays(1), null, null);
        var jp = new PartySigned("JP", Day.AddDays(2), null, null);

        var inOrder = new Agreement().Fold(1, proposal, "h1", default).Fold(2, round, "h2", default).Fold(3, gb, "h3", default).Fold(4, jp, "h4", default);
        var late = new Agreement().Fold(1, proposal, "h1", default).Fold(2, jp, "h2", default).Fold(3, gb, "h3", default).Fold(4, round, "h4", default);

        Assert.Equal(inOrder.Lifecycle.Status, late.Lifecycle.Status);
        Assert.Equal(inOrder.Lifecycle.SignedOn, late.Lifecycle.SignedOn);
        Assert.Equal(inOrder.Lifecycle.Signatories, late.Lifecycle.Signatories);
        Assert.Equal(AgreementStatus.Signed, late.Lifecycle.Status);
        Assert.Equal("h4", late.LastHash);
    }

    private static AgreementProposed Proposal(params string[] parties) =>
        new("test", "Test", "treaty", parties, [], null, Day.AddDays(-30), []);

    private static LifecycleFact Fact(long version, IAgreementEvent @event) => new(version, @event);
}
