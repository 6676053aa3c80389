using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgreementLedger.Infrastructure.Auth;

/// <summary>
/// Development without authentication (<see cref="LedgerAuth.AuthMode.Open"/>): who counts as this machine's
/// user, and the refusal to serve anyone else.
/// </summary>
public static class LocalOpenMode
{
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
        if (!app.Services.GetRequiredService<LedgerAuth.AuthMode>().Open)
        {
            return;
        }

        app.Lifetime.ApplicationStarted.Register(() => RefuseUnlessListeningOnLoopbackOnly(app));
        var local = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", Principal.Local), new Claim("role", Roles.Admin)], LedgerAuth.OpenMode, "sub", "role"));
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
}

internal static partial class AuthLog
{
    [LoggerMessage(Level = LogLevel.Critical, Message = "AgreementLedger cannot start: {Reason}")]
    public static partial void OpenModeExposed(ILogger logger, string reason);
}
