namespace AgreementLedger.Subscriptions.Integration;

/// <summary>Where integration events go: <c>Ledger:Integration</c>.</summary>
public sealed class IntegrationOptions
{
    /// <summary>Publish integration events at all (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// An AMQP URI (<c>amqp://user:password@host:5672/vhost</c>). When set, events go to a RabbitMQ
    /// topic exchange instead of the PostgreSQL queue.
    /// </summary>
    public string? RabbitMq { get; set; }

    /// <summary>The RabbitMQ topic exchange; the routing key is the event type.</summary>
    public string Exchange { get; set; } = "agreement-ledger.events";

    /// <summary>The PostgreSQL queue (table <c>wolverine_queues.wolverine_queue_{name}</c>).</summary>
    public string Queue { get; set; } = "ledger_events";

    public string Destination => RabbitMq is null
        ? $"PostgreSQL queue '{Queue}'"
        : $"RabbitMQ topic exchange '{Exchange}' at {RedactedBroker}";

    private string RedactedBroker => Uri.TryCreate(RabbitMq, UriKind.Absolute, out var uri)
        ? $"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}{uri.AbsolutePath}"
        : "(an invalid URI)";
}
