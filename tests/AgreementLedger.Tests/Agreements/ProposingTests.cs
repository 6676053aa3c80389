using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Proposing;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class ProposingTests
{
    private static ProposeAgreement Command(DateOnly? occurredOn = null, IReadOnlyList<string>? parties = null) =>
        new("a-treaty", "A treaty", "treaty", parties ?? ["JP", "GB"], ["trade"], null, occurredOn, [new SourceInput("Reuters", "https://example.org/a", null, null)]);

    [Fact]
    public void a_complete_proposal_is_valid() => Valid(ProposeAgreementEndpoint.Validate(Command(), Clock));

    [Fact]
    public void a_party_named_twice_is_invalid() =>
        Invalid(ProposeAgreementEndpoint.Validate(Command(parties: ["JP", "JP"]), Clock), "parties[1]", "'JP' appears more than once");

    [Fact]
    public void a_proposal_in_the_future_is_invalid() =>
        Invalid(ProposeAgreementEndpoint.Validate(Command(Today.AddDays(1)), Clock), "occurredOn", "must not be in the future");

    [Fact]
    public void decides_the_proposal_of_the_given_id_dated_today_by_default()
    {
        var proposed = Accepted<AgreementProposed>(ProposeAgreementEndpoint.Decide(Command(), "chosen-id", Today));

        Assert.Equal("chosen-id", proposed.Id);
        Assert.Equal(Today, proposed.OccurredOn);
        Assert.Equal(["JP", "GB"], proposed.Parties);
        Assert.Equal([new SourceReference("Reuters", "https://example.org/a")], proposed.Sources);
    }
}
