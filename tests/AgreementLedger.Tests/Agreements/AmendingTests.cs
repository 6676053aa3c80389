using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Amending;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class AmendingTests
{
    private static readonly Agreement WithdrawnInJune = History(Proposal(), new AgreementWithdrawn("Abandoned", new DateOnly(2026, 6, 1)));

    [Fact]
    public void a_summary_is_required() =>
        Invalid(AmendAgreementEndpoint.Validate(new AmendAgreement(null, null), Clock), "summary", "is required");

    [Fact]
    public void an_amendment_is_judged_in_effective_time_so_one_dated_before_a_withdrawal_is_recorded() =>
        Assert.Equal(new AgreementAmended("New scope", new DateOnly(2026, 3, 1)),
            Accepted<AgreementAmended>(AmendAgreementEndpoint.Decide(new AmendAgreement("New scope", new DateOnly(2026, 3, 1)), WithdrawnInJune, Today)));

    [Fact]
    public void an_amendment_dated_after_the_withdrawal_is_refused() =>
        Conflict(AmendAgreementEndpoint.Decide(new AmendAgreement("New scope", null), WithdrawnInJune, Today),
            "The agreement has been Withdrawn since 2026-06-01 (event 2), which is final: nothing more can be recorded on it. Recording this would break the lifecycle at event 3 (agreement_amended) on 2026-12-01.");
}
