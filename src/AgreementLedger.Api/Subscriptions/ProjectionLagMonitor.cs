using System.Diagnostics.Metrics;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Subscriptions.Webhooks;
using Npgsql;

namespace AgreementLedger.Subscriptions;

/// <summary>
/// Reads, every <see cref="TelemetryOptions.LagInterval"/>, how many stored events each asynchronous
/// consumer has still to process — every Marten projection and subscription (from its progression
/// row, wherever in the cluster it runs, including the daemon's high-water mark) and every webhook
/// subscription (from its cursor) — and serves the figures as the <c>ledger.projection.lag</c>
/// gauge, tagged <c>projection</c>. One cheap query; the gauge callback never touches the database.
/// </summary>
public sealed partial class ProjectionLagMonitor(
    NpgsqlDataSource db, LedgerSchema schema, Microsoft.Extensions.Options.IOptions<TelemetryOptions> options, ILogger<ProjectionLagMonitor> logger, LedgerMetrics metrics)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LagInterval > TimeSpan.Zero ? options.Value.LagInterval : TimeSpan.FromSeconds(10);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                metrics.LagsRead(await ReadAsync(stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // The database is away: keep the last figures and say so once per attempt.
                LagUnreadable(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<IReadOnlyList<Measurement<long>>> ReadAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"with newest (head) as ({EventPositions.NewestQuery(schema)}) " +
            $"select p.name, greatest(newest.head - p.last_seq_id, 0) from {schema.Events}.{MartenTables.Progression} p, newest " +
            $"union all select 'webhook:' || w.id, greatest(newest.head - w.position, 0) from {schema.Events}.{WebhookStore.TableName} w, newest");
        var lags = new List<Measurement<long>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            lags.Add(new Measurement<long>(reader.GetInt64(1), new KeyValuePair<string, object?>("projection", reader.GetString(0))));
        }

        return lags;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Projection lag could not be read: {Reason}")]
    private static partial void LagUnreadable(ILogger logger, string reason);
}
