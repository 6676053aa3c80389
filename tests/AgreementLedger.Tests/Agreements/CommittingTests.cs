using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Committing;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class CommittingTests
{
    private static CommitFunding Funding(decimal? amount, string? currency = "EUR") => new("EU", amount, currency, null, null);

    [Fact]
    public void an_amount_with_fractions_of_a_cent_is_invalid() =>
        Invalid(CommitFundingEndpoint.Validate(Funding(10.001m), Clock), "amount", "must have at most 2 decimal places");

    [Fact]
    public void an_amount_above_the_maximum_is_invalid() =>
        Invalid(CommitFundingEndpoint.Validate(Funding(CommitFundingEndpoint.MaxAmount + 1), Clock), "amount", "must be at most 10000000000000");

    [Fact]
    public void an_unknown_currency_is_invalid() =>
        Invalid(CommitFundingEndpoint.Validate(Funding(10m, "EURO"), Clock), "currency", "ISO 4217");

    [Fact]
    public void funding_is_committed_to_a_signed_agreement() =>
        Assert.Equal(new FundingCommitted("EU", 10m, "EUR", null, Today), Accepted<FundingCommitted>(CommitFundingEndpoint.Decide(Funding(10m), Signed(), Today)));

    [Fact]
    public void funding_needs_an_agreement_in_force() =>
        Conflict(CommitFundingEndpoint.Decide(Funding(10m), History(Proposal()), Today),
            "Funding can be committed only while the agreement is Signed, Funded or Delivered; it has been Proposed since 2026-01-15 (event 1). Recording this would break the lifecycle at event 2 (funding_committed) on 2026-12-01.");
}
