using AgreementLedger.Subscriptions.Integration;
using AgreementLedger.Subscriptions.Webhooks;

namespace AgreementLedger.Subscriptions;

/// <summary>The subscriptions' services: the feed and its stream, webhooks and their dispatcher, the integration events' settings.</summary>
public static class SubscriptionsComposition
{
    /// <param name="builder">The host being built; the settings are Ledger:Events, Ledger:Webhooks and Ledger:Integration.</param>
    /// <param name="developmentWebhookKeyFile">Where Development keeps a generated webhook secret key when none is configured.</param>
    /// <returns>The integration events' settings, which the event store's subscription and Wolverine's routing follow.</returns>
    public static IntegrationOptions AddLedgerSubscriptions(this WebApplicationBuilder builder, string developmentWebhookKeyFile)
    {
        var services = builder.Services;
        services.AddSingleton<EventFeed>();
        services.AddSingleton<OpenStreams>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookLeases>();
        services.Configure<EventStreamOptions>(builder.Configuration.GetSection("Ledger:Events"));
        // Webhooks may reach the service's own network only in Development, unless configured (docs/api.md).
        services.Configure<WebhookOptions>(o => o.AllowPrivateNetworks = builder.Environment.IsDevelopment());
        services.Configure<WebhookOptions>(builder.Configuration.GetSection("Ledger:Webhooks"));
        services.AddSingleton(WebhookSecretKey.Load(
            builder.Configuration[WebhookSecretKey.Setting],
            developmentWebhookKeyFile,
            builder.Environment.IsDevelopment(),
            builder.Environment.EnvironmentName));
        services.AddSingleton<WebhookDestinations>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<WebhookDestinations>().Handler());
        services.AddHostedService<WebhookDispatcher>();

        var integration = builder.Configuration.GetSection("Ledger:Integration").Get<IntegrationOptions>() ?? new IntegrationOptions();
        services.AddSingleton(integration);
        services.AddHealthChecks()
            .AddCheck<FeedHealthCheck>("event-feed", tags: ["ready"])
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return integration;
    }
}
