using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.OpenApi;

namespace AgreementLedger.Ui;

/// <summary>
/// What the page needs to know before anyone signs in, at the anonymous <c>GET /ui/config</c> (docs/api.md,
/// "Web page"): how tokens are had (<c>oidc</c>: it signs in with the authority; <c>key</c>: someone who holds
/// the HS256 key issues them; <c>local</c>: Development, no token needed on this machine) and, with an
/// authority, the authority, the page's public client id, the audience its tokens must carry and any extra
/// scope. Nothing secret: all of it is in every authorization request the page sends.
/// </summary>
public sealed record WebPageConfig(string Mode, string? Authority, string? ClientId, string? Audience, string? Scope)
{
    public const string Route = "/ui/config";

    public static WebPageConfig For(LedgerAuth.AuthMode auth) =>
        new(auth.Kind, auth.Oidc?.Authority.OriginalString, auth.Oidc?.ClientId, auth.Oidc?.Audience, auth.Oidc?.Scope);

    /// <summary>The origin the page may fetch from besides its own: the authority's (discovery, keys, tokens).</summary>
    public static string? ConnectOrigin(LedgerAuth.AuthMode auth) => auth.Oidc?.Authority.GetLeftPart(UriPartial.Authority);

    public static void Map(WebApplication app)
    {
        var config = For(app.Services.GetRequiredService<LedgerAuth.AuthMode>());
        app.MapGet(Route, () => TypedResults.Json(config))
            .AllowAnonymous()
            .WithName("getWebPageConfig")
            .WithTags(EndpointContract.WebPage)
            .WithSummary("How the web page signs in")
            .WithDescription("Anonymous. `mode` is `oidc` (the page signs in with `authority`, as the public client `clientId`, " +
                "for access tokens whose audience is `audience`; `scope` is asked for beside `openid offline_access`), `key` " +
                "(tokens are issued by whoever holds the HS256 key) or `local` (Development: requests from this machine run as the local admin). " +
                "The other members are absent unless `mode` is `oidc` (and `clientId`, `scope` unless configured).")
            .Produces<WebPageConfig>(StatusCodes.Status200OK)
            .WithMetadata(new ProblemResponseAttribute(StatusCodes.Status400BadRequest, Problems.Validation)
            {
                Description = "`/problems/validation`: a control character in the path or query.",
            });
    }
}
