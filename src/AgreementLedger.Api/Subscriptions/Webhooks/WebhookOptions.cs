namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>Ledger:Webhooks settings.</summary>
public sealed class WebhookOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first retry waits this long; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest one delivery may take, from connecting to the last byte read.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Subscriptions one node delivers at the same time (each has at most one request in flight).</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>Whether webhooks may reach the service's own network (loopback, private ranges, …). Defaults to true in Development only.</summary>
    public bool AllowPrivateNetworks { get; set; }
}
