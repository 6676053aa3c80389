using Microsoft.Extensions.FileProviders;

namespace AgreementLedger.Ui;

/// <summary>
/// The page for policy staff and auditors at <c>/</c>: static files embedded in the service (no
/// separate server, no build step), talking to the same HTTP API as every other client with the
/// caller's bearer token. Anonymous like /health: the files hold no data, and nor does <c>GET /ui/config</c>
/// (<see cref="WebPageConfig"/>), which tells the page how to sign in. Its script is ES modules
/// (app.js imports the rest), all in one flat folder: embedded resource names turn folders into
/// dotted prefixes (mangling some), which EmbeddedFileProvider cannot map back reliably.
/// </summary>
public static class WebUi
{
    private const string ResourcePrefix = "AgreementLedger.Ui.wwwroot";

    /// <summary>
    /// Only this origin's scripts and styles; data only from the API on the same origin and, with an OIDC
    /// authority, from the authority's origin (its discovery document and token endpoint), no other.
    /// </summary>
    public static string ContentSecurityPolicy(string? authorityOrigin) =>
        $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'{(authorityOrigin is null ? "" : " " + authorityOrigin)}; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void UseWebUi(this WebApplication app)
    {
        var policy = ContentSecurityPolicy(WebPageConfig.ConnectOrigin(app.Services.GetRequiredService<Infrastructure.Auth.LedgerAuth.AuthMode>()));
        WebPageConfig.Map(app);
        var files = new EmbeddedFileProvider(typeof(WebUi).Assembly, ResourcePrefix);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "" });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Embedded files change only with the service: revalidate instead of going stale.
                headers.CacheControl = "no-cache";
            },
        });
    }
}
