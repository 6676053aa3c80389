using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Retracting;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class RetractingTests
{
    [Fact]
    public void a_version_and_a_reason_are_required()
    {
        var problem = RetractEventEndpoint.Validate(new RetractEvent(null, null));

        Invalid(problem, "version", "is required");
        Invalid(problem, "reason", "is required");
    }

    [Fact]
    public void an_event_is_retracted_in_recorded_time() =>
        Assert.Equal(new EventRetracted(2, "Recorded by mistake"),
            Accepted<EventRetracted>(RetractEventEndpoint.Decide(new RetractEvent(2, "Recorded by mistake"), History(Proposal(), new TermsAgreed(ProposedOn, null)), Today)));

    [Fact]
    public void a_version_beyond_the_newest_is_invalid_input() =>
        Refused(RetractEventEndpoint.Decide(new RetractEvent(9, "Typo"), History(Proposal()), Today),
            "version", "there is no event with version 9 (the agreement is at version 1)");

    [Fact]
    public void the_proposal_cannot_be_retracted() =>
        Conflict(RetractEventEndpoint.Decide(new RetractEvent(1, "Typo"), History(Proposal()), Today),
            "The event cannot be retracted: the proposal (version 1) cannot be retracted.");

    [Fact]
    public void a_retraction_that_would_break_the_history_after_it_is_refused() =>
        Conflict(RetractEventEndpoint.Decide(new RetractEvent(2, "Typo"), Signed(new FundingCommitted("EU", 1m, "EUR", null, ProposedOn)), Today),
            "Event 4 (funding_committed) on 2026-01-15 would no longer fit: Funding can be committed only while the agreement is Signed, Funded or Delivered; it has been Proposed since 2026-01-15 (event 1). Retracting event 2 would break the lifecycle at event 4 (funding_committed) on 2026-01-15.");
}
