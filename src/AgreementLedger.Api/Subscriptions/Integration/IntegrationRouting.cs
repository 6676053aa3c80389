using Wolverine;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;

namespace AgreementLedger.Subscriptions.Integration;

public static class IntegrationRouting
{
    /// <summary>Routes <see cref="FeedEvent"/> messages; every sending endpoint goes through the durable outbox.</summary>
    public static void Configure(WolverineOptions opts, IntegrationOptions options)
    {
        opts.Policies.UseDurableOutboxOnAllSendingEndpoints();
        if (!options.Enabled)
        {
            return;
        }

        if (options.RabbitMq is { } broker)
        {
            if (!Uri.TryCreate(broker, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            {
                throw new InvalidOperationException(
                    "Ledger:Integration:RabbitMq must be an AMQP URI such as amqp://user:password@host:5672/.");
            }

            opts.UseRabbitMq(uri).AutoProvision();
            opts.PublishMessagesToRabbitMqExchange<FeedEvent>(options.Exchange, e => e.Type);
        }
        else
        {
            opts.PublishMessage<FeedEvent>().ToPostgresqlQueue(options.Queue);
        }
    }
}
