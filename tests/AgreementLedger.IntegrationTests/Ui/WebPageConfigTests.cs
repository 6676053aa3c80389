using System.Text.Json;
using Alba;
using AgreementLedger.IntegrationTests.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// <c>GET /ui/config</c> answers anyone, without a token, how the page signs in (docs/api.md, "Web page"), and
/// the page's content security policy lets it fetch from the authority's origin and from no other.
/// </summary>
internal static class WebPageConfigAnswers
{
    public static async Task<JsonElement> AnonymousAsync(IAlbaHost host)
    {
        var answer = await host.Scenario(s =>
        {
            s.Get.Url("/ui/config");
            s.StatusCodeShouldBe(200);
        });
        Assert.Null(answer.Context.Request.Headers.Authorization.FirstOrDefault());
        return JsonDocument.Parse(await answer.ReadAsTextAsync()).RootElement.Clone();
    }

    /// <summary>The page's connect-src directive, from the header it is served with.</summary>
    public static async Task<string> ConnectSourcesAsync(IAlbaHost host)
    {
        var page = await host.Scenario(s => s.Get.Url("/"));
        var policy = page.Context.Response.Headers.ContentSecurityPolicy.ToString();
        return policy.Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith("connect-src ", StringComparison.Ordinal));
    }

    public static void AssertNoSignInMembers(JsonElement config)
    {
        foreach (var member in new[] { "authority", "clientId", "audience", "scope" })
        {
            Assert.False(config.TryGetProperty(member, out _), member + " is sent");
        }
    }
}

[Collection(OidcCollection.Name)]
public sealed class OidcWebPageConfigTests(OidcLedgerHost ledger)
{
    [Fact]
    public async Task with_an_authority_the_page_is_told_to_sign_in_there_and_may_fetch_from_its_origin_alone()
    {
        var config = await WebPageConfigAnswers.AnonymousAsync(ledger.Host);

        Assert.Equal("oidc", config.GetProperty("mode").GetString());
        Assert.Equal(ledger.Authority, config.GetProperty("authority").GetString());
        Assert.Equal(OidcLedgerHost.ClientId, config.GetProperty("clientId").GetString());
        Assert.Equal("agreement-ledger", config.GetProperty("audience").GetString());
        Assert.False(config.TryGetProperty("scope", out _), "scope is sent though none is configured");
        Assert.Equal($"connect-src 'self' {new Uri(ledger.Authority).GetLeftPart(UriPartial.Authority)}", await WebPageConfigAnswers.ConnectSourcesAsync(ledger.Host));
    }
}

[Collection(CommandsCollection.Name)]
public sealed class KeyWebPageConfigTests(LedgerHost ledger)
{
    [Fact]
    public async Task with_an_hs256_key_the_page_is_told_tokens_come_from_whoever_holds_it_and_fetches_from_its_own_origin_alone()
    {
        var config = await WebPageConfigAnswers.AnonymousAsync(ledger.Host);

        Assert.Equal("key", config.GetProperty("mode").GetString());
        WebPageConfigAnswers.AssertNoSignInMembers(config);
        Assert.Equal("connect-src 'self'", await WebPageConfigAnswers.ConnectSourcesAsync(ledger.Host));
    }
}

[Collection(OpenModeCollection.Name)]
public sealed class LocalWebPageConfigTests(OpenModeLedgerHost ledger)
{
    [Fact]
    public async Task without_authentication_in_development_the_page_is_told_it_runs_as_the_local_admin()
    {
        var config = await WebPageConfigAnswers.AnonymousAsync(ledger.Host);

        Assert.Equal("local", config.GetProperty("mode").GetString());
        WebPageConfigAnswers.AssertNoSignInMembers(config);
        Assert.Equal("connect-src 'self'", await WebPageConfigAnswers.ConnectSourcesAsync(ledger.Host));
    }
}
