using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Negotiating;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class NegotiatingTests
{
    [Fact]
    public void a_round_with_a_blank_participant_is_invalid() =>
        Invalid(HoldNegotiationRoundEndpoint.Validate(new HoldNegotiationRound(null, "Geneva", ["JP", " "], null), Clock), "participants[1]", "must not be blank");

    [Fact]
    public void a_round_without_participants_names_none()
    {
        var round = Accepted<NegotiationRoundHeld>(HoldNegotiationRoundEndpoint.Decide(new HoldNegotiationRound(null, "Geneva", null, null), History(Proposal()), Today));

        Assert.Equal(Today, round.OccurredOn);
        Assert.Empty(round.Participants);
    }

    [Fact]
    public void no_round_is_held_once_signed() =>
        Conflict(HoldNegotiationRoundEndpoint.Decide(new HoldNegotiationRound(null, null, null, null), Signed(), Today),
            "A negotiation round can be held only while the agreement is Proposed or Negotiating; it has been Signed since 2026-01-15 (event 3). Recording this would break the lifecycle at event 4 (negotiation_round_held) on 2026-12-01.");

    [Fact]
    public void terms_with_an_overlong_summary_are_invalid() =>
        Invalid(AgreeTermsEndpoint.Validate(new AgreeTerms(null, new string('x', 10_001)), Clock), "summary", "must be at most");

    [Fact]
    public void terms_are_agreed_on_the_day_given() =>
        Assert.Equal(new TermsAgreed(ProposedOn.AddDays(3), "Text"),
            Accepted<TermsAgreed>(AgreeTermsEndpoint.Decide(new AgreeTerms(ProposedOn.AddDays(3), "Text"), History(Proposal()), Today)));

    [Fact]
    public void terms_are_not_agreed_once_final() =>
        Conflict(AgreeTermsEndpoint.Decide(new AgreeTerms(null, null), History(Proposal(), new AgreementWithdrawn("Abandoned", ProposedOn)), Today),
            "Terms can be agreed only while the agreement is Proposed or Negotiating; it has been Withdrawn since 2026-01-15 (event 2). Recording this would break the lifecycle at event 3 (terms_agreed) on 2026-12-01.");
}
