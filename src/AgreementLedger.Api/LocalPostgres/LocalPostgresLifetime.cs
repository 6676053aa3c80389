namespace AgreementLedger.LocalPostgres;

/// <summary>Stops the embedded cluster when the host stops (registered first, so it stops last).</summary>
public sealed partial class LocalPostgresLifetime(LocalPostgresCluster cluster, ILogger<LocalPostgresLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (cluster.Owned)
        {
            LogStopping(logger, cluster.DataDirectory);
        }

        await cluster.StopAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded PostgreSQL ({Report}) in {Elapsed} ms. Data: {DataDirectory}; log: {LogFile}; connect with: PGPASSWORD=\"$(cat {PasswordFile})\" psql -h 127.0.0.1 -p {Port} -U {Role} {Database}")]
    internal static partial void LogStarted(ILogger logger, string report, long elapsed, string dataDirectory, string logFile, string passwordFile, int port, string role, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping the embedded PostgreSQL in {DataDirectory}")]
    private static partial void LogStopping(ILogger logger, string dataDirectory);
}
