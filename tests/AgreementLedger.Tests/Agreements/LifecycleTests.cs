using System.Collections.Immutable;
using AgreementLedger.Agreements;

namespace AgreementLedger.Tests.Agreements;

public sealed class LifecycleTests
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    private static LifecycleState At(AgreementStatus status) =>
        LifecycleState.Empty with { Proposed = true, Status = status, Parties = ["JP", "GB"] };

    public static TheoryData<string, AgreementStatus, bool> Table()
    {
        // API.md "Lifecycle": which statuses each implemented command is allowed from.
        var allowed = new Dictionary<string, AgreementStatus[]>
        {
            ["negotiation_round_held"] = [AgreementStatus.Proposed, AgreementStatus.Negotiating],
            ["party_signed"] = [AgreementStatus.Proposed, AgreementStatus.Negotiating, AgreementStatus.Negotiated],
        };
        var data = new TheoryData<string, AgreementStatus, bool>();
        foreach (var (command, statuses) in allowed)
        {
            foreach (var status in Enum.GetValues<AgreementStatus>())
            {
                data.Add(command, status, statuses.Contains(status));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void allows_each_command_exactly_from_the_statuses_of_the_table(string command, AgreementStatus status, bool allowed)
    {
        IAgreementEvent @event = command switch
        {
            "negotiation_round_held" => new NegotiationRoundHeld(Day, null, [], null),
            "party_signed" => new PartySigned("JP", Day, null, null),
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };

        Assert.Equal(allowed, Lifecycle.Refusal(At(status), @event) is null);
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

        Assert.Equal("US is not a party", Lifecycle.Refusal(state, new PartySigned("US", Day, null, null)));
        Assert.Equal("JP has already signed", Lifecycle.Refusal(state, new PartySigned("JP", Day, null, null)));
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
        Assert.Equal("event 2 (negotiation_round_held) on 2024-03-06: negotiation_round_held needs status Proposed or Negotiating, but it is Signed", broken.Describe());
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
