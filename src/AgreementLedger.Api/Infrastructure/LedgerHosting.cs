using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.OpenApi;
using Npgsql;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// What every request and every command of the service stands on, whatever the feature: the connection
/// pool, the clock, JSON both ways, problem details, readiness and the OpenAPI document. None of it
/// refuses a start; the settings that can are read where their feature is added.
/// </summary>
public static class LedgerHosting
{
    public static void AddLedgerHosting(this WebApplicationBuilder builder, string connectionString)
    {
        var services = builder.Services;
        services.AddLibraryConsoleToLog();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(NpgsqlDataSource.Create(TunedConnectionString(connectionString)));
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<StartupRefusal>();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Numbers are JSON numbers both ways (JsonShape refuses "5" for a number before binding);
            // saying so here keeps the OpenAPI schemas from offering strings for them.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.TypeFrameworkProblem);
        services.AddExceptionHandler<ExceptionProblems>();

        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgresql", tags: ["ready"]);
        services.AddLedgerOpenApi();
    }

    /// <summary>
    /// The connection string with two pool defaults the service relies on for speed, unless the
    /// operator set them: statements used often are prepared once per connection (Max Auto Prepare),
    /// and a pooled connection is not reset on return (No Reset On Close) — the reset's DISCARD ALL
    /// would throw away those statements and Marten's cached PL/pgSQL plans on every command. The
    /// service sets no session state beyond a transaction (only <c>set local</c>).
    /// </summary>
    public static string TunedConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return given.ConnectionString == builder.ConnectionString ? connectionString : builder.ConnectionString;

        static bool Mentions(string connectionString, params string[] keys) =>
            keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));
    }
}
