using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// <c>/health/details</c>' <c>history</c> entry: Degraded, naming the checkpoint, once the history has diverged —
/// Degraded, not Unhealthy, because commands and reads go on and the node must stay in rotation.
/// </summary>
public sealed class HistoryHealthCheck(HistoryDivergence divergence) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await divergence.CurrentAsync(cancellationToken) is { } diverged
            ? HealthCheckResult.Degraded($"History diverged: the stored events no longer yield {diverged.Named} ({diverged.Reason}); nothing new is signed")
            : HealthCheckResult.Healthy("The stored events yield every checkpoint signed before");
}
