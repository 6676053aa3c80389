using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Signing;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class SigningTests
{
    [Fact]
    public void a_party_code_in_lowercase_is_invalid() =>
        Invalid(SignAgreementEndpoint.Validate(new SignAgreement("jp", null, null, null), Clock), "party", "must be a party code");

    [Fact]
    public void a_signature_tomorrow_is_invalid() =>
        Invalid(SignAgreementEndpoint.Validate(new SignAgreement("JP", Today.AddDays(1), null, null), Clock), "occurredOn", "must not be in the future");

    [Fact]
    public void a_party_signs_today_by_default()
    {
        var signed = Accepted<PartySigned>(SignAgreementEndpoint.Decide(new SignAgreement("JP", null, "Minister", "Tokyo"), History(Proposal()), Today));

        Assert.Equal(new PartySigned("JP", Today, "Minister", "Tokyo"), signed);
    }

    [Fact]
    public void only_a_party_signs() =>
        Conflict(SignAgreementEndpoint.Decide(new SignAgreement("US", null, null, null), History(Proposal()), Today),
            "US is not a party: add it first. Recording this would break the lifecycle at event 2 (party_signed) on 2026-12-01.");

    [Fact]
    public void a_party_signs_once() =>
        Conflict(SignAgreementEndpoint.Decide(new SignAgreement("JP", null, null, null), History(Proposal(), new PartySigned("JP", ProposedOn, null, null)), Today),
            "JP already signed on 2026-01-15 (event 2). Recording this would break the lifecycle at event 3 (party_signed) on 2026-12-01.");

    [Fact]
    public void a_signature_before_the_proposal_is_invalid_input() =>
        Refused(SignAgreementEndpoint.Decide(new SignAgreement("JP", ProposedOn.AddDays(-1), null, null), History(Proposal()), Today),
            "occurredOn", "must not be before the proposal's occurredOn (2026-01-15)");
}
