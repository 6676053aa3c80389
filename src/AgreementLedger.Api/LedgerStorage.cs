using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Agreements;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Idempotency;
using AgreementLedger.Subscriptions.Integration;
using AgreementLedger.Subscriptions.Webhooks;
using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.Resources;
using Marten;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace AgreementLedger;

/// <summary>
/// Marten (the event store, its inline snapshot, the service's own tables) and Wolverine (handlers,
/// HTTP endpoints, the cluster's durability agents): the one place that knows which folder's tables
/// and event types the store holds.
/// </summary>
public static class LedgerStorage
{
    public static void AddLedgerStorage(this WebApplicationBuilder builder, LedgerSchema schema, IntegrationOptions integration)
    {
        var services = builder.Services;
        var cluster = builder.Configuration.GetSection("Ledger:Cluster").Get<ClusterOptions>() ?? new ClusterOptions();

        var marten = services.AddMarten(opts =>
            {
                opts.DatabaseSchemaName = schema.Events;
                opts.Events.StreamIdentity = StreamIdentity.AsString;
                // Server timestamps: recordedAt is set by the service (monotonic per agreement) and hashed.
                opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
                opts.Events.MetadataConfig.HeadersEnabled = true;
                opts.Events.MetadataConfig.UserNameEnabled = true;
                foreach (var (type, name) in EventTypeNames.Catalogue.Mappings)
                {
                    opts.Events.MapEventType(type, name);
                }

                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, json =>
                {
                    json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
                    // jsonb reorders members, so a polymorphic discriminator may not come first.
                    json.AllowOutOfOrderMetadataProperties = true;
                });
                opts.Projections.Add(new AgreementSnapshot(), ProjectionLifecycle.Inline);
                // The snapshot a command fetched (under the stream's row lock) is the one the inline
                // projection folds the new event into: without this it is loaded a second time at commit.
                opts.Events.UseIdentityMapForAggregates = true;
                if (Telemetry.TracesOn(builder.Configuration))
                {
                    // Connection spans with their commands as events, beside Npgsql's own spans.
                    opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                }

                opts.Storage.ExtendedSchemaObjects.Add(Ledger.AppendFunction.Definition(schema));
                opts.Storage.ExtendedSchemaObjects.Add(IdempotencyStore.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(LedgerDigests.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Ledger.Merkle.Stored.MerkleNodeTable.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Audit.Transparency.CheckpointLog.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Audit.Transparency.KeptCosignatures.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Audit.Transparency.HistoryDivergence.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(WebhookStore.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Agreements.Checkpoints.VersionCheckpoints.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Agreements.Versions.AgreementVersionRows.Definition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Agreements.Versions.AgreementVersionRows.FacetsDefinition(schema.Events));
                opts.Storage.ExtendedSchemaObjects.Add(Agreements.Versions.AgreementVersionRows.FilledDefinition(schema.Events));
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
    }
}
