using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace AgreementLedger.Infrastructure.Auth;

/// <summary>
/// Bearer JWTs: HS256 with Ledger:Auth:SigningKey (issuer and audience "agreement-ledger"), or an
/// OIDC authority (Ledger:Auth:Authority). With neither, Development runs every request from this machine as
/// the local admin <c>local</c> (and says so at start, see <see cref="LocalOpenMode.UseOpenModeIfConfigured"/>); any other
/// environment refuses to start.
/// </summary>
public static class LedgerAuth
{
    public const string Issuer = "agreement-ledger";
    public const string Audience = "agreement-ledger";
    public const string OpenMode = "LocalOpenMode";

    /// <summary>Whether requests run as the local admin because no authentication is configured.</summary>
    public sealed record AuthMode(bool Open, string Description)
    {
        /// <summary>
        /// How far past its expiry a token is still accepted (Ledger:Auth:ClockSkew, 30 s by default;
        /// JwtBearer's own default is 5 minutes), for requests and for how long an event stream it opened lives.
        /// </summary>
        public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;

        /// <summary>With an OIDC authority: what the web page signs in with (GET /ui/config); null otherwise.</summary>
        public OidcSignIn? Oidc { get; init; }

        /// <summary>How the web page gets its token: <c>oidc</c> (it signs in with the authority), <c>key</c> (a token pasted), <c>local</c> (none needed).</summary>
        public string Kind => Open ? "local" : Oidc is null ? "key" : "oidc";
    }

    /// <summary>
    /// The authority, the audience its access tokens must carry, and the page's public client
    /// (Ledger:Auth:ClientId; without it the page asks for a pasted token) with any scope the authority
    /// needs beyond <c>openid</c> (Ledger:Auth:Scope).
    /// </summary>
    public sealed record OidcSignIn(Uri Authority, string Audience, string? ClientId, string? Scope);

    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    public static AuthMode AddLedgerAuth(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Ledger:Auth");
        var key = section["SigningKey"];
        var authority = section["Authority"];
        var skew = DefaultClockSkew;
        if (section["ClockSkew"] is { Length: > 0 } skewText
            && (!TimeSpan.TryParse(skewText, System.Globalization.CultureInfo.InvariantCulture, out skew) || skew < TimeSpan.Zero))
        {
            throw new StartupException($"Ledger:Auth:ClockSkew must be a duration of zero or more such as 00:00:30 (it is '{skewText}').");
        }

        var mode = new AuthMode(false, "") { ClockSkew = skew };
        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (!string.IsNullOrWhiteSpace(key))
        {
            var bytes = DecodeKey(key);
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = Issuer,
                    ValidAudience = Audience,
                    // The current key, then keys it replaced (Ledger:Auth:PreviousSigningKeys), accepted
                    // until the tokens they signed expire; only the current key signs new tokens.
                    IssuerSigningKeys = [new SymmetricSecurityKey(bytes), .. ConfigurationList.Read(section, "PreviousSigningKeys").Select(k => new SymmetricSecurityKey(DecodeKey(k)))],
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RoleClaimType = "role",
                    NameClaimType = "sub",
                    ClockSkew = skew,
                };
            });
            mode = mode with { Description = "HS256 bearer tokens (Ledger:Auth:SigningKey)" };
        }
        else if (!string.IsNullOrWhiteSpace(authority))
        {
            var signIn = new OidcSignIn(AuthorityUri(authority, section.GetValue("RequireHttpsMetadata", true)),
                NonEmpty(section["Audience"]) ?? Audience, NonEmpty(section["ClientId"]), NonEmpty(section["Scope"]));
            authentication.AddJwtBearer(o =>
            {
                o.Authority = authority;
                o.Audience = signIn.Audience;
                o.RequireHttpsMetadata = signIn.Authority.Scheme == Uri.UriSchemeHttps;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = "role";
                o.TokenValidationParameters.NameClaimType = "sub";
                o.TokenValidationParameters.ClockSkew = skew;
            });
            mode = mode with { Description = $"bearer tokens from the OIDC authority {authority}", Oidc = signIn };
        }
        else if (builder.Environment.IsDevelopment())
        {
            authentication.AddJwtBearer();
            mode = new AuthMode(true, "NONE: every request runs as the local admin 'local' (Development only)") { ClockSkew = skew };
        }
        else
        {
            throw new StartupException(
                $"No authentication is configured and the environment is '{builder.Environment.EnvironmentName}'. Set Ledger:Auth:SigningKey " +
                "(base64, HS256) or Ledger:Auth:Authority (OIDC); only Development may run without authentication.");
        }

        builder.Services.AddAuthorization(o =>
        {
            foreach (var (policy, roles) in Roles.ByPolicy)
            {
                o.AddPolicy(policy, p => p.RequireRole(roles));
            }
        });
        builder.Services.AddSingleton(mode);
        return mode;
    }

    /// <summary>Which policy guards a route: commands need recorder, reads reader, audit auditor, the feed subscriber, webhooks admin.</summary>
    public static string PolicyFor(string method, string route) => route switch
    {
        _ when route.StartsWith("/audit", StringComparison.Ordinal) => Roles.Auditor,
        _ when route.StartsWith("/events", StringComparison.Ordinal) => Roles.Subscriber,
        _ when route.StartsWith("/subscriptions", StringComparison.Ordinal) => Roles.Admin,
        _ when method == HttpMethods.Get => Roles.Reader,
        _ => Roles.Recorder,
    };

    public static void RequireRoles(WolverineHttpOptions options) =>
        options.ConfigureEndpoints(chain => chain.RequireAuthorization(PolicyFor(chain.HttpMethods.FirstOrDefault() ?? "GET", chain.RoutePattern?.RawText ?? "")));

    /// <summary>A token for the configured HS256 key (the <c>token</c> command, and tests).</summary>
    public static string CreateToken(string base64Key, string subject, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var token = new JwtSecurityToken(Issuer, Audience, claims, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.Add(lifetime),
            new SigningCredentials(new SymmetricSecurityKey(DecodeKey(base64Key)), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>
    /// The authority's address: https, or http only on a loopback address and only with
    /// Ledger:Auth:RequireHttpsMetadata false (a provider run on this machine, for development and tests).
    /// </summary>
    private static Uri AuthorityUri(string authority, bool requireHttps)
    {
        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new StartupException($"Ledger:Auth:Authority must be an absolute https address (it is '{authority}').");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && (requireHttps || !uri.IsLoopback))
        {
            throw new StartupException($"Ledger:Auth:Authority must be https (it is '{authority}'); plain http is accepted only for a " +
                "loopback address with Ledger:Auth:RequireHttpsMetadata false.");
        }

        return uri;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static byte[] DecodeKey(string base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64);
            return bytes.Length >= 32 ? bytes : throw new StartupException("Ledger:Auth:SigningKey must be at least 32 bytes (256 bits) of base64.");
        }
        catch (FormatException e)
        {
            throw new StartupException("Ledger:Auth:SigningKey is not valid base64.", e);
        }
    }
}
