using AgreementLedger.Infrastructure;

namespace AgreementLedger.LocalPostgres;

/// <summary>Where the ledger's database is, and whether it is the embedded default.</summary>
/// <param name="EmbeddedKeyFile">The digest signing key's file in the embedded cluster's private folder (the Development default).</param>
public sealed record LedgerDatabaseChoice(string ConnectionString, bool Embedded, string? EmbeddedKeyFile = null, LocalPostgresCluster? Cluster = null);

/// <summary>
/// Decides where the ledger's PostgreSQL is: the configured connection string, or, in Development
/// (or with Ledger:Database:Embedded=true) and with none configured, a private cluster started from
/// the machine's binaries. Production never silently gets a private database.
/// </summary>
public static class LedgerDatabase
{
    public const string ConnectionName = "Ledger";
    public const string DatabaseName = "agreement_ledger";

    public static async Task<LedgerDatabaseChoice> ResolveAsync(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new LedgerDatabaseChoice(configured, Embedded: false);
        }

        var section = builder.Configuration.GetSection("Ledger:Database");
        var embedded = section.GetValue<bool?>("Embedded") ?? builder.Environment.IsDevelopment();
        if (!embedded)
        {
            throw new StartupException(
                $"No database is configured. Set the connection string ConnectionStrings:{ConnectionName} " +
                $"(environment variable ConnectionStrings__{ConnectionName}). The embedded PostgreSQL runs only in the " +
                $"Development environment or with Ledger:Database:Embedded=true; this is '{builder.Environment.EnvironmentName}'.");
        }

        // The configuration's console settings too: an export to standard output sends this log to standard error (QuietStart).
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggers.CreateLogger("AgreementLedger.LocalPostgres");
        var options = new LocalPostgresOptions(
            section.GetValue<string?>("DataDirectory") ?? LocalPostgresOptions.DefaultRoot(),
            section.GetValue<string?>("BinDirectory"),
            section.GetValue<int?>("Port"));

        var started = System.Diagnostics.Stopwatch.StartNew();
        LocalPostgresCluster cluster;
        try
        {
            cluster = await LocalPostgresCluster.StartAsync(options);
            await cluster.EnsureDatabaseAsync(DatabaseName);
        }
        catch (LocalPostgresUnavailableException e)
        {
            throw new StartupException("The embedded PostgreSQL could not start: " + e.Message, e);
        }

        LocalPostgresLifetime.LogStarted(
            logger, cluster.StartReport, started.ElapsedMilliseconds, cluster.DataDirectory, cluster.LogFile, cluster.ServicePasswordFile, cluster.Port,
            LocalPostgresCluster.ServiceRole, DatabaseName);

        builder.Services.AddSingleton(cluster);
        builder.Services.AddHostedService<LocalPostgresLifetime>();
        return new LedgerDatabaseChoice(cluster.ConnectionString(DatabaseName), Embedded: true, cluster.AuditKeyFile, cluster);
    }
}
