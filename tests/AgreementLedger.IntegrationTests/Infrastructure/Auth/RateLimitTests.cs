using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Infrastructure.Auth;

[Collection(RateLimitCollection.Name)]
public sealed class RateLimitTests(RateLimitedLedgerHost ledger)
{
    [Fact]
    public async Task a_principal_over_its_limit_gets_429_with_retry_after_and_others_do_not()
    {
        var dave = TestTokens.For("dave", Roles.Auditor);
        var erin = TestTokens.For("erin", Roles.Auditor);

        for (var i = 0; i < 3; i++)
        {
            await ledger.Host.GetAsync("/agreements", 200, dave);
        }

        var limited = await ledger.Host.GetAsync("/agreements", 429, dave);
        await ledger.Host.GetAsync("/agreements", 200, erin);
        await ledger.Host.GetAsync("/health/live");

        Assert.Equal("/problems/rate-limited", limited.ProblemType);
        Assert.True(int.Parse(limited.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }
}
