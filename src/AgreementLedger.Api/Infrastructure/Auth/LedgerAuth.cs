using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Claims;
using AgreementLedger.Infrastructure.LocalPostgres;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.IdentityModel.Tokens;
using Wolverine.Http;

namespace AgreementLedger.Infrastructure.Auth;

/// <summary>The roles of docs/api.md "Access" and which routes each may use.</summary>
public static class Roles
{
    public const string Recorder = "recorder";
    public const string Auditor = "auditor";
    public const string Subscriber = "subscriber";
    public const string Admin = "admin";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Recorder, Auditor, Subscriber, Admin };

    /// <summary>The policy of the queries: recorders and auditors read them.</summary>
    public const string Reader = "reader";

    /// <summary>The policies that guard routes and the roles each admits (admin may do everything).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByPolicy = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Recorder] = [Recorder, Admin],
        [Reader] = [Recorder, Auditor, Admin],
        [Auditor] = [Auditor, Admin],
        [Subscriber] = [Subscriber, Auditor, Admin],
        [Admin] = [Admin],
    };
}

/// <summary>
/// Bearer JWTs: HS256 with Ledger:Auth:SigningKey (issuer and audience "agreement-ledger"), or an
/// OIDC authority (Ledger:Auth:Authority). With neither, Development runs every request from this machine as
/// the local admin <c>local</c> (and says so at start, see <see cref="UseOpenModeIfConfigured"/>); any other
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
    }

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
            authentication.AddJwtBearer(o =>
            {
                o.Authority = authority;
                o.Audience = section["Audience"] ?? Audience;
                o.RequireHttpsMetadata = section.GetValue("RequireHttpsMetadata", true);
                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = "role";
                o.TokenValidationParameters.NameClaimType = "sub";
                o.TokenValidationParameters.ClockSkew = skew;
            });
            mode = mode with { Description = $"bearer tokens from the OIDC authority {authority}" };
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

    /// <summary>
    /// In open mode (no authentication, Development) every request is the local admin — only while the server listens
    /// on loopback addresses alone, and only for a request that comes straight from a loopback address (docs/api.md, Access).
    /// Any other request is 401: one without a remote address (the in-memory test server, a Unix socket) is not from
    /// loopback, and one with a forwarding header came through a proxy, which may pass on anyone's request even when
    /// it runs on this machine. Once the server has started, any address it listens on that is not loopback
    /// (<c>localhost</c> counts) stops the service with exit code 2 (<see cref="StartupRefusal"/>). A server that
    /// reports no address at all (the in-memory test server) has no socket anyone could reach, and passes.
    /// </summary>
    public static void UseOpenModeIfConfigured(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<AuthMode>().Open)
        {
            return;
        }

        app.Lifetime.ApplicationStarted.Register(() => RefuseUnlessListeningOnLoopbackOnly(app));
        var local = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", Principal.Local), new Claim("role", Roles.Admin)], OpenMode, "sub", "role"));
        app.Use((http, next) =>
        {
            if (!IsDirectLoopbackRequest(http))
            {
                return Problems.Result(Problems.Create(StatusCodes.Status401Unauthorized, Problems.Unauthorized, "Authentication is required",
                    "No authentication is configured: only requests made on this machine to a loopback address, without a forwarding header, run as the local admin."))
                    .ExecuteAsync(http);
            }

            http.User = local;
            return next(http);
        });
    }

    /// <summary>Headers a proxy adds: a request carrying one came through a proxy, not from this machine's user.</summary>
    public static readonly IReadOnlyList<string> ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Via"];

    public static bool IsDirectLoopbackRequest(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote
        && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
        && !ForwardingHeaders.Any(http.Request.Headers.ContainsKey);

    /// <summary>Whether a server address (<c>http://127.0.0.1:5080</c>, <c>http://localhost:5080</c>, <c>http://[::1]:80</c>) is loopback only.</summary>
    public static bool IsLoopbackAddress(string address)
    {
        BindingAddress parsed;
        try
        {
            parsed = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        if (parsed.IsUnixPipe || parsed.IsNamedPipe)
        {
            return false;
        }

        var host = parsed.Host.TrimStart('[').TrimEnd(']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));
    }

    private static void RefuseUnlessListeningOnLoopbackOnly(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopbackAddress(a)).ToList();
        if (exposed.Count == 0)
        {
            return;
        }

        var reason = $"no authentication is configured and it listens on {string.Join(", ", exposed)}, which is not loopback. " +
            "Without authentication (Development only) listen on localhost, 127.0.0.1 or [::1] alone (ASPNETCORE_URLS), " +
            "or set Ledger:Auth:SigningKey (base64, HS256) or Ledger:Auth:Authority (OIDC).";
        AuthLog.OpenModeExposed(app.Logger, reason);
        app.Services.GetRequiredService<StartupRefusal>().Refuse(reason);
        app.Lifetime.StopApplication();
    }

    /// <summary>A token for the configured HS256 key (the <c>token</c> command, and tests).</summary>
    public static string CreateToken(string base64Key, string subject, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var token = new JwtSecurityToken(Issuer, Audience, claims, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.Add(lifetime),
            new SigningCredentials(new SymmetricSecurityKey(DecodeKey(base64Key)), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

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

internal static partial class AuthLog
{
    [LoggerMessage(Level = LogLevel.Critical, Message = "AgreementLedger cannot start: {Reason}")]
    public static partial void OpenModeExposed(ILogger logger, string reason);
}
