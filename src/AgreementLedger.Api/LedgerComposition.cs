using AgreementLedger.Agreements;
using AgreementLedger.Audit;
using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.LocalPostgres;
using AgreementLedger.OpenApi;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Idempotency;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.Subscriptions;
using AgreementLedger.Subscriptions.Webhooks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using Scalar.AspNetCore;
using Wolverine.Http;

namespace AgreementLedger;

/// <summary>
/// How the service is put together; Program.cs only calls these. Each folder adds its own services
/// (<c>AddLedgerX</c>); this root alone knows them all, the order they start in, and the order of the
/// request pipeline.
/// </summary>
public static class LedgerComposition
{
    public static void AddLedger(this WebApplicationBuilder builder, LedgerDatabaseChoice database)
    {
        var services = builder.Services;
        var schema = LedgerSchema.Default;
        builder.AddLedgerHosting(database.ConnectionString);
        services.AddLedgerKernel(schema);
        services.AddMerkleTree(builder.Configuration);
        services.Configure<IdempotencyOptions>(builder.Configuration.GetSection("Ledger:Idempotency"));
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<PendingReleases>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingReleases>());
        services.AddLedgerAgreements();
        // Development keeps the webhook key beside the digest key, in the embedded cluster's private folder.
        var webhookKeyFile = Path.Combine(
            Path.GetDirectoryName(database.EmbeddedKeyFile) ?? LocalPostgresAccess.PrivateDirectory(LocalPostgresOptions.DefaultRoot()), WebhookSecretKey.FileName);
        var integration = builder.AddLedgerSubscriptions(webhookKeyFile);
        builder.AddLedgerAudit(database.EmbeddedKeyFile);
        services.AddHostedService<IdempotencyKeyCleanup>();

        builder.AddLedgerStorage(schema, integration);
        // After the storage has applied its schema: fills the list's version rows of a ledger stored before they existed.
        services.AddHostedService(sp => sp.GetRequiredService<Agreements.Versions.VersionRowsBackfill>());

        builder.AddLedgerAuth();
        builder.AddLedgerRateLimiting();
        // The demo data and the lag monitor start after the storage has applied its schema.
        builder.AddLedgerSeeding(database.Embedded);
        services.Configure<TelemetryOptions>(builder.Configuration.GetSection("Ledger:Telemetry"));
        builder.AddLedgerTelemetry();
        services.AddHostedService<ProjectionLagMonitor>();
        // Once the node serves: the states of the agreements written last, so first commands commit in one round trip.
        services.AddHostedService(sp => sp.GetRequiredService<Agreements.AgreementStatesWarmUp>());
    }

    public static void UseLedger(this WebApplication app)
    {
        StartupLog.Write(app);

        // Registered as an instance (so Wolverine's generated code can take it), hence disposed here.
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        app.Lifetime.ApplicationStopped.Register(dataSource.Dispose);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        AgreementLedger.Ui.WebUi.UseWebUi(app);
        app.UseOpenModeIfConfigured();
        app.UseRouting();
        app.UseCommandTiming();
        app.UseAuthentication();
        app.UseAuthorization();
        var rateLimited = app.Services.GetRequiredService<RateLimitingSwitch>().On;
        if (rateLimited)
        {
            app.UseRateLimiter();
        }

        // The contract's order: 401/403, then an idempotent replay, then 400.
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseMiddleware<ControlCharacterGuard>();
        app.UseMiddleware<StrictJsonBodyMiddleware>();
        app.UseMiddleware<Audit.Transparency.HistoryDivergedGate>();

        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi();
        app.MapScalarApiReference("/scalar");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Anonymous: healthy or not, one query a second at most. The checks with their details
        // (positions, node id, agents, error texts) are for admin.
        app.MapGet("/health/ready", ReadinessProbe.AnswerAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/details", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).RequireAuthorization(Roles.Admin);
        app.MapWolverineEndpoints(opts =>
        {
            opts.WarmUpRoutes = RouteWarmup.Eager;
            opts.AddParameterHandlingStrategy<CommandBodyStrategy>();
            opts.AddPolicy<CommandBodyPolicy>();
            LedgerAuth.RequireRoles(opts);
            EndpointContract.Apply(opts);
            opts.AddPolicy<AgreementWritePolicy>();
            if (rateLimited)
            {
                RateLimiting.RequireRateLimiting(opts);
            }
        });
    }
}
