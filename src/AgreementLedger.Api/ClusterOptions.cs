namespace AgreementLedger;

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
