using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.Subscriptions.Integration;
using AgreementLedger.Subscriptions.Webhooks;

namespace AgreementLedger;

/// <summary>
/// What the service says as it starts, so that an operator reads from the log alone how it was put
/// together: how requests authenticate, where integration events go, which keys sign and seal, where it serves.
/// </summary>
internal static partial class StartupLog
{
    public static void Write(WebApplication app)
    {
        var auth = app.Services.GetRequiredService<LedgerAuth.AuthMode>();
        if (auth.Open)
        {
            OpenMode(app.Logger, app.Environment.EnvironmentName);
        }
        else
        {
            Authentication(app.Logger, auth.Description);
        }

        var integration = app.Services.GetRequiredService<IntegrationOptions>();
        Integration(app.Logger, integration.Enabled ? integration.Destination : "nowhere (Ledger:Integration:Enabled is false)");

        var signingKey = app.Services.GetRequiredService<AuditSigningKey>();
        SigningKey(app.Logger, signingKey.KeyId, signingKey.Source);
        var webhookKey = app.Services.GetRequiredService<WebhookSecretKey>();
        WebhookKey(app.Logger, webhookKey.KeyId, webhookKey.Source);

        // Says where it serves in one line (the host's own "Now listening on" lines are below the default level).
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (addresses.Count > 0)
            {
                Serving(app.Logger, string.Join(", ", addresses), app.Environment.EnvironmentName);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "NO AUTHENTICATION: every request from this machine runs as the local admin 'local' (environment {Environment}); it must listen on loopback addresses alone, and any request from another address or through a proxy is 401. Set Ledger:Auth:SigningKey or Ledger:Auth:Authority before exposing this service.")]
    public static partial void OpenMode(ILogger logger, string environment);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Serving {Addresses} ({Environment}): the web page at /, the API reference at /scalar/, readiness at /health/ready. Ctrl-C stops it.")]
    public static partial void Serving(ILogger logger, string addresses, string environment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration events go to {Destination}")]
    public static partial void Integration(ILogger logger, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication: {Description}")]
    public static partial void Authentication(ILogger logger, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger digests are signed with key {KeyId} from {Source}")]
    public static partial void SigningKey(ILogger logger, string keyId, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook secrets are sealed with key {KeyId} from {Source}")]
    public static partial void WebhookKey(ILogger logger, string keyId, string source);
}
