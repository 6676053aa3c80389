using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Wolverine.Runtime;

namespace AgreementLedger.Subscriptions.Integration;

/// <summary>
/// Readiness detail for operators: this node's id, the background agents (event subscriptions,
/// leadership) it runs now, and how far the integration-event relay lags the newest event — wherever
/// in the cluster it runs. Informational: a lagging relay does not make this node unready.
/// </summary>
public sealed class ClusterHealthCheck(IWolverineRuntime runtime, IntegrationOptions integration, NpgsqlDataSource db, LedgerSchema schema)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var agents = runtime.Agents.AllRunningAgentUris().Select(u => u.ToString()).Order(StringComparer.Ordinal).ToArray();
        var data = new Dictionary<string, object>
        {
            ["nodeId"] = runtime.Options.UniqueNodeId.ToString(),
            ["agentsHere"] = agents,
        };
        if (!integration.Enabled)
        {
            return HealthCheckResult.Healthy("integration events are switched off (Ledger:Integration:Enabled)", data);
        }

        try
        {
            await using var command = db.CreateCommand(
                $"select coalesce((select last_seq_id from {schema.Events}.{MartenTables.Progression} where name = @name), 0), " +
                $"({EventPositions.NewestQuery(schema)})");
            command.Parameters.AddWithValue("name", IntegrationEventRelay.RelayName + ":All");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            long published = reader.GetInt64(0), newest = reader.GetInt64(1);
            data["integrationEventsPublishedTo"] = published;
            data["integrationEventsLag"] = Math.Max(0, newest - published);
            data["integrationEventsDestination"] = integration.Destination;
            return HealthCheckResult.Healthy(
                $"integration events published up to position {published} of {newest} to {integration.Destination}", data);
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy("the integration-event progress could not be read: " + e.Message, data: data);
        }
    }
}
