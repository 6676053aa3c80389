using AgreementLedger.Agreements;
using AgreementLedger.Agreements.ChangingStanding;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class ChangingStandingTests
{
    private static readonly ChangeStanding Because = new("Review", null);

    [Fact]
    public void a_reason_is_required() =>
        Invalid(ChangeStandingEndpoint.Validate(new ChangeStanding(" ", null), Clock), "reason", "must not be blank");

    [Fact]
    public void each_standing_records_its_own_event()
    {
        Assert.Equal(new AgreementSuspended("Review", Today), Accepted<AgreementSuspended>(ChangeStandingEndpoint.Decide(Standing.Suspension, Because, Signed(), Today)));
        Assert.Equal(new AgreementResumed("Review", Today),
            Accepted<AgreementResumed>(ChangeStandingEndpoint.Decide(Standing.Resumption, Because, Signed(new AgreementSuspended("Review", ProposedOn)), Today)));
        Assert.Equal(new AgreementTerminated("Review", Today), Accepted<AgreementTerminated>(ChangeStandingEndpoint.Decide(Standing.Termination, Because, Signed(), Today)));
        Assert.Equal(new AgreementWithdrawn("Review", Today), Accepted<AgreementWithdrawn>(ChangeStandingEndpoint.Decide(Standing.Withdrawal, Because, History(Proposal()), Today)));
    }

    [Fact]
    public void only_an_agreement_in_force_is_suspended() =>
        Conflict(ChangeStandingEndpoint.Decide(Standing.Suspension, Because, History(Proposal()), Today),
            "It can be suspended only while the agreement is Signed, Funded or Delivered; it has been Proposed since 2026-01-15 (event 1). Recording this would break the lifecycle at event 2 (agreement_suspended) on 2026-12-01.");

    [Fact]
    public void a_withdrawal_back_dated_before_the_signatures_names_the_first_event_it_would_break()
    {
        var signedInMarch = History(Proposal(), new PartySigned("JP", new DateOnly(2026, 3, 1), null, null), new PartySigned("GB", new DateOnly(2026, 3, 2), null, null));

        Conflict(ChangeStandingEndpoint.Decide(Standing.Withdrawal, Because with { OccurredOn = new DateOnly(2026, 2, 1) }, signedInMarch, Today),
            "Event 2 (party_signed) on 2026-03-01 would no longer fit: JP can sign only while the agreement is Proposed, Negotiating or Negotiated; it has been Withdrawn since 2026-02-01 (the event this would record). Recording this would break the lifecycle at event 2 (party_signed) on 2026-03-01.");
    }
}
