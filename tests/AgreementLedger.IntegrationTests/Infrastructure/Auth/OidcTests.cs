using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Security.Cryptography;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace AgreementLedger.IntegrationTests.Infrastructure.Auth;

/// <summary>A host that trusts an OIDC authority: a loopback server publishing discovery and JWKS.</summary>
public sealed class OidcLedgerHost : LedgerHost
{
    /// <summary>The web page's client at the authority (GET /ui/config).</summary>
    public const string ClientId = "agreement-ledger-page";

    private WebApplication? _authority;

    public RSA Key { get; } = RSA.Create(2048);

    public string Authority { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Ledger:Auth:Authority"] = Authority,
        ["Ledger:Auth:RequireHttpsMetadata"] = "false",
        ["Ledger:Auth:ClientId"] = ClientId,
    };

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _authority = builder.Build();
        var parameters = Key.ExportParameters(false);
        _authority.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["jwks_uri"] = Authority + "/jwks",
        }));
        _authority.MapGet("/jwks", () => Results.Json(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "test-key", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) } },
        }));
        await _authority.StartAsync();
        Authority = _authority.Urls.First();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_authority is not null)
        {
            await _authority.DisposeAsync();
        }

        Key.Dispose();
    }

    public string Token(string subject, string role, RSA? signWith = null)
    {
        var credentials = new SigningCredentials(new RsaSecurityKey(signWith ?? Key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256);
        var token = new JwtSecurityToken(Authority, "agreement-ledger", [new Claim("sub", subject), new Claim("role", role)],
            DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(30), credentials);
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}

[CollectionDefinition(Name)]
public sealed class OidcCollection : ICollectionFixture<OidcLedgerHost>
{
    public const string Name = "oidc";
}

[Collection(OidcCollection.Name)]
public sealed class OidcTests(OidcLedgerHost ledger)
{
    [Fact]
    public async Task tokens_from_the_configured_oidc_authority_are_accepted_with_their_roles()
    {
        using var stranger = RSA.Create(2048);

        await ledger.Host.GetAsync("/events", 200, ledger.Token("olivia", "subscriber"));
        await ledger.Host.GetAsync("/agreements", 403, ledger.Token("olivia", "subscriber"));
        await ledger.Host.GetAsync("/events", 401, ledger.Token("mallory", "admin", stranger));
        await ledger.Host.GetAsync("/events", 401, TestTokens.Admin);
    }
}
