namespace AgreementLedger.Subscriptions;

/// <summary>Ledger:Telemetry settings.</summary>
public sealed class TelemetryOptions
{
    /// <summary>How often <c>ledger.projection.lag</c> is read from the database.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(10);
}
