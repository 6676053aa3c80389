using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Targeting;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class TargetingTests
{
    [Fact]
    public void a_milestone_off_the_line_is_invalid() =>
        Invalid(SetTargetEndpoint.Validate(new SetTarget("Suspended", Today, null, null), Clock), "milestone", "must be one of");

    [Fact]
    public void a_target_date_is_required() =>
        Invalid(SetTargetEndpoint.Validate(new SetTarget("Signed", null, null, null), Clock), "targetDate", "is required");

    [Fact]
    public void a_target_may_lie_in_the_future() =>
        Assert.Equal(new TargetSet("Signed", Today.AddYears(2), null, Today),
            Accepted<TargetSet>(SetTargetEndpoint.Decide(new SetTarget("Signed", Today.AddYears(2), null, null), History(Proposal()), Today)));

    [Fact]
    public void no_target_is_set_once_final() =>
        Conflict(SetTargetEndpoint.Decide(new SetTarget("Signed", Today, null, null), History(Proposal(), new AgreementWithdrawn("Abandoned", ProposedOn)), Today),
            "The agreement has been Withdrawn since 2026-01-15 (event 2), which is final: nothing more can be recorded on it. Recording this would break the lifecycle at event 3 (target_set) on 2026-12-01.");
}
