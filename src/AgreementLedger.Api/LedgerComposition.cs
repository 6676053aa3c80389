using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Agreements;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.Infrastructure.Idempotency;
using AgreementLedger.Infrastructure.LocalPostgres;
using AgreementLedger.Infrastructure.OpenApi;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Seeding;
using AgreementLedger.Subscriptions;
using AgreementLedger.Subscriptions.Integration;
using AgreementLedger.Subscriptions.Webhooks;
using JasperFx.Resources;
using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using Scalar.AspNetCore;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace AgreementLedger;

/// <summary>How the service is put together; Program.cs only calls these.</summary>
public static class LedgerComposition
{
    public static void AddLedger(this WebApplicationBuilder builder, LedgerDatabaseChoice database)
    {
        var connectionString = database.ConnectionString;
        var services = builder.Services;
        services.AddLibraryConsoleToLog();
        var schema = LedgerSchema.Default;
        services.AddSingleton(schema);
        services.AddSingleton<EventTableAppendLock>();
        services.AddSingleton<SafePosition>();
        services.AddSingleton<EventPositions>();
        services.AddSingleton<StoredEventReader>();
        services.AddSingleton<BulkAppend>();
        services.AddSingleton<SnapshotWriter>();
        services.AddSingleton<StreamVersions>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(NpgsqlDataSource.Create(TunedConnectionString(connectionString)));
        services.Configure<IdempotencyOptions>(builder.Configuration.GetSection("Ledger:Idempotency"));
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<PendingReleases>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingReleases>());
        services.AddSingleton<StoredEvents>();
        services.AddSingleton<LedgerVerifier>();
        services.AddSingleton<LedgerDigests>();
        services.AddSingleton<AgreementLedger.Subscriptions.EventFeed>();
        services.AddSingleton<AgreementLedger.Subscriptions.OpenStreams>();
        services.AddSingleton<AgreementLedger.Subscriptions.Webhooks.WebhookStore>();
        services.Configure<AgreementLedger.Subscriptions.EventStreamOptions>(builder.Configuration.GetSection("Ledger:Events"));
        // Webhooks may reach the service's own network only in Development, unless configured (docs/api.md).
        services.Configure<WebhookOptions>(o => o.AllowPrivateNetworks = builder.Environment.IsDevelopment());
        services.Configure<WebhookOptions>(builder.Configuration.GetSection("Ledger:Webhooks"));
        services.AddSingleton(WebhookSecretKey.Load(
            builder.Configuration[WebhookSecretKey.Setting],
            // Development: kept beside the digest key, in the embedded cluster's private folder.
            Path.Combine(Path.GetDirectoryName(database.EmbeddedKeyFile) ?? LocalPostgresAccess.PrivateDirectory(LocalPostgresOptions.DefaultRoot()), WebhookSecretKey.FileName),
            builder.Environment.IsDevelopment(),
            builder.Environment.EnvironmentName));
        services.AddSingleton<WebhookDestinations>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<WebhookDestinations>().Handler());
        services.AddHostedService<AgreementLedger.Subscriptions.Webhooks.WebhookDispatcher>();
        services.Configure<AuditOptions>(builder.Configuration.GetSection("Ledger:Audit"));
        services.AddSingleton(AuditSigningKey.Load(
                builder.Configuration["Ledger:Audit:SigningKey"],
                builder.Configuration["Ledger:Audit:KeyFile"],
                database.EmbeddedKeyFile,
                builder.Environment)
            .WithPreviousPublicKeys(AuditSigningKey.ParsePublicKeys(ConfigurationList.Read(builder.Configuration, "Ledger:Audit:PreviousPublicKeys"))));
        services.AddHostedService<DigestKeeper>();
        services.AddMerkleTree(builder.Configuration);
        services.AddTransparencyLog(builder.Configuration);
        services.AddHostedService<IdempotencyKeyCleanup>();

        var integration = builder.Configuration.GetSection("Ledger:Integration").Get<IntegrationOptions>() ?? new IntegrationOptions();
        services.AddSingleton(integration);
        var cluster = builder.Configuration.GetSection("Ledger:Cluster").Get<ClusterOptions>() ?? new ClusterOptions();

        var marten = services.AddMarten(opts =>
            {
                opts.DatabaseSchemaName = schema.Events;
                opts.Events.StreamIdentity = StreamIdentity.AsString;
                // Server timestamps: recordedAt is set by the service (monotonic per agreement) and hashed.
                opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
                opts.Events.MetadataConfig.HeadersEnabled = true;
                opts.Events.MetadataConfig.UserNameEnabled = true;
                foreach (var (type, name) in EventTypeNames.ByType)
                {
                    opts.Events.MapEventType(type, name);
                }

                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, json =>
                {
                    json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
                    // jsonb reorders members, so a polymorphic discriminator may not come first.
                    json.AllowOutOfOrderMetadataProperties = true;
                });
                opts.Projections.Snapshot<Agreement>(SnapshotLifecycle.Inline);
                // The snapshot a command fetched (under the stream's row lock) is the one the inline
                // projection folds the new event into: without this it is loaded a second time at commit.
                opts.Events.UseIdentityMapForAggregates = true;
                if (Telemetry.TracesOn(builder.Configuration))
                {
                    // Connection spans with their commands as events, beside Npgsql's own spans.
                    opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                }

                opts.Storage.ExtendedSchemaObjects.Add(IdempotencyStore.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(LedgerDigests.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(MerkleNodeTable.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(CheckpointLog.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(AgreementLedger.Subscriptions.Webhooks.WebhookStore.Definition(schema.Events));
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine(x =>
            {
                x.MessageStorageSchemaName = "wolverine";
                // Subscriptions (and any async projection) run on exactly one node of the cluster,
                // with leadership and assignments kept in PostgreSQL; see docs/operations.md.
                x.UseWolverineManagedEventSubscriptionDistribution = true;
            });
        if (integration.Enabled)
        {
            marten.SubscribeToEventsWithServices<IntegrationEventRelay>(ServiceLifetime.Singleton);
        }

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(LedgerComposition).Assembly;
            // Handlers are pre-generated into Internal/Generated (`-- codegen write`) and loaded as they
            // are everywhere but Development, which compiles them at start so edits need no step.
            // GeneratedCodeTests fails when the committed code is stale.
            opts.CodeGeneration.TypeLoadMode = builder.Environment.IsDevelopment() ? TypeLoadMode.Dynamic : TypeLoadMode.Static;
            opts.Durability.HealthCheckPollingTime = cluster.HealthCheckInterval;
            opts.Durability.StaleNodeTimeout = cluster.StaleNodeTimeout;
            opts.Durability.CheckAssignmentPeriod = cluster.CheckAssignmentPeriod;
            opts.UseSystemTextJsonForSerialization(json =>
            {
                // Integration messages carry the public JSON shape of GET /events.
                json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            });
            IntegrationRouting.Configure(opts, integration);
            opts.Services.AddResourceSetupOnStartup();
        });
        services.AddWolverineHttp();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Numbers are JSON numbers both ways (JsonShape refuses "5" for a number before binding);
            // saying so here keeps the OpenAPI schemas from offering strings for them.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem.Type is null || problem.Type.StartsWith("http", StringComparison.Ordinal))
            {
                problem.Type = Problems.TypeUri(problem.Status switch
                {
                    StatusCodes.Status401Unauthorized => Problems.Unauthorized,
                    StatusCodes.Status403Forbidden => Problems.Forbidden,
                    StatusCodes.Status404NotFound => Problems.NotFound,
                    StatusCodes.Status413PayloadTooLarge => Problems.PayloadTooLarge,
                    StatusCodes.Status429TooManyRequests => Problems.RateLimited,
                    _ => Problems.Validation,
                });
            }

            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status404NotFound => "No resource exists at this address.",
                StatusCodes.Status405MethodNotAllowed => "This route does not accept the " + context.HttpContext.Request.Method + " method.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
                _ => problem.Title,
            };
        });
        services.AddExceptionHandler<ExceptionProblems>();

        services.AddSingleton<StartupRefusal>();
        builder.AddLedgerAuth();
        var rateLimited = builder.AddLedgerRateLimiting();
        services.AddSingleton(new RateLimitingSwitch(rateLimited));
        services.AddSingleton<BulkImporter>();
        services.AddSingleton<AgreementLedger.Agreements.Rebuilding.SnapshotRebuilder>();
        services.AddSingleton<DemoDataLoader>();
        if (database.Embedded && builder.Configuration.GetValue("Ledger:Seed:OnFirstStart", true))
        {
            services.AddHostedService<DemoDataOnFirstStart>();
        }

        services.Configure<TelemetryOptions>(builder.Configuration.GetSection("Ledger:Telemetry"));
        builder.AddLedgerTelemetry();
        services.AddHostedService<ProjectionLagMonitor>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: ["ready"])
            .AddCheck<AgreementLedger.Subscriptions.FeedHealthCheck>("event-feed", tags: ["ready"])
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddLedgerOpenApi();
    }

    /// <summary>
    /// The connection string with two pool defaults the service relies on for speed, unless the
    /// operator set them: statements used often are prepared once per connection (Max Auto Prepare),
    /// and a pooled connection is not reset on return (No Reset On Close) — the reset's DISCARD ALL
    /// would throw away those statements and Marten's cached PL/pgSQL plans on every command. The
    /// service sets no session state beyond a transaction (only <c>set local</c>).
    /// </summary>
    public static string TunedConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return given.ConnectionString == builder.ConnectionString ? connectionString : builder.ConnectionString;

        static bool Mentions(string connectionString, params string[] keys) =>
            keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));
    }

    public static void UseLedger(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<LedgerAuth.AuthMode>();
        if (auth.Open)
        {
            StartupLog.OpenMode(app.Logger, app.Environment.EnvironmentName);
        }
        else
        {
            StartupLog.Authentication(app.Logger, auth.Description);
        }

        var integration = app.Services.GetRequiredService<IntegrationOptions>();
        StartupLog.Integration(app.Logger, integration.Enabled ? integration.Destination : "nowhere (Ledger:Integration:Enabled is false)");

        var signingKey = app.Services.GetRequiredService<AuditSigningKey>();
        StartupLog.SigningKey(app.Logger, signingKey.KeyId, signingKey.Source);
        var webhookKey = app.Services.GetRequiredService<WebhookSecretKey>();
        StartupLog.WebhookKey(app.Logger, webhookKey.KeyId, webhookKey.Source);

        // Says where it serves in one line (the host's own "Now listening on" lines are below the default level).
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            if (addresses.Count > 0)
            {
                StartupLog.Serving(app.Logger, string.Join(", ", addresses), app.Environment.EnvironmentName);
            }
        });

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
            LedgerAuth.RequireRoles(opts);
            EndpointContract.Apply(opts);
            opts.AddPolicy<AgreementLedger.Agreements.AgreementWritePolicy>();
            if (rateLimited)
            {
                RateLimiting.RequireRateLimiting(opts);
            }
        });
    }
}

/// <summary>How nodes notice each other's death: <c>Ledger:Cluster</c>.</summary>
public sealed class ClusterOptions
{
    /// <summary>How often each node records that it is alive, and the leader checks the others.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A node silent this long is dead: its subscriptions and outbox are taken over.</summary>
    public TimeSpan StaleNodeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the leader checks that every subscription is running where assigned.</summary>
    public TimeSpan CheckAssignmentPeriod { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Whether per-principal rate limiting was configured.</summary>
public sealed record RateLimitingSwitch(bool On);

internal static partial class StartupLog
{
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
