using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Joining;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class JoiningTests
{
    [Fact]
    public void a_party_is_required() =>
        Invalid(JoinAgreementEndpoint.Validate(new JoinAgreement(null, null), Clock), "party", "is required");

    [Fact]
    public void a_new_party_joins_today_by_default() =>
        Assert.Equal(new PartyJoined("US", Today), Accepted<PartyJoined>(JoinAgreementEndpoint.Decide(new JoinAgreement("US", null), History(Proposal()), Today)));

    [Fact]
    public void a_party_joins_once() =>
        Conflict(JoinAgreementEndpoint.Decide(new JoinAgreement("JP", null), History(Proposal()), Today),
            "JP is already a party (event 1). Recording this would break the lifecycle at event 2 (party_joined) on 2026-12-01.");

    [Fact]
    public void no_party_joins_a_signed_agreement() =>
        Conflict(JoinAgreementEndpoint.Decide(new JoinAgreement("US", null), Signed(), Today),
            "US can join only while the agreement is Proposed, Negotiating or Negotiated; it has been Signed since 2026-01-15 (event 3). Recording this would break the lifecycle at event 4 (party_joined) on 2026-12-01.");
}
