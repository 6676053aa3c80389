using AgreementLedger.LocalPostgres;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The PostgreSQL server of one test run: the server named by LEDGER_TEST_CONNECTION, or a
/// throwaway cluster started (like the service's embedded default) from the machine's binaries and
/// removed when the run ends. Every test host gets a fresh database on it.
/// </summary>
public static class TestDatabase
{
    private const string RootName = "agreement-ledger-tests";
    private static readonly Lazy<Task<Func<string, string>>> Server = new(StartAsync);
    private static LocalPostgresCluster? _cluster;

    public static async Task<string> CreateAsync()
    {
        var connectionFor = await Server.Value;
        var name = "ledger_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(connectionFor("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"create database {name}", connection);
        await create.ExecuteNonQueryAsync();
        return connectionFor(name);
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        var connectionFor = await Server.Value;
        await using var connection = new NpgsqlConnection(connectionFor("postgres"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<Func<string, string>> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return database => new NpgsqlConnectionStringBuilder(external) { Database = database }.ConnectionString;
        }

        var parent = Path.Combine(Path.GetTempPath(), RootName);
        Directory.CreateDirectory(parent);
        await RemoveAbandonedAsync(parent);

        var root = Path.Combine(parent, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        _cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(root, Throwaway: true));
        StartReaper(_cluster);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _cluster.StopAsync().GetAwaiter().GetResult();
        var cluster = _cluster;
        // The tests create and drop a database per host and look into the server (pg_stat_statements): as the superuser.
        return cluster.SuperuserConnectionString;
    }

    /// <summary>
    /// The test host may be ended before its exit handlers finish; a detached watcher stops the
    /// cluster and removes its folder once this process is gone, however it ended.
    /// </summary>
    private static void StartReaper(LocalPostgresCluster cluster)
    {
        var pgCtl = Path.Combine(cluster.BinDirectory, "pg_ctl");
        var asOwner = Environment.IsPrivilegedProcess ? "setpriv --reuid=postgres --regid=postgres --init-groups " : "";
        var script = "exec >/dev/null 2>&1 </dev/null; "
            + $"while kill -0 {Environment.ProcessId}; do sleep 0.5; done; "
            + $"{asOwner}'{pgCtl}' -D '{cluster.DataDirectory}' -m immediate stop; rm -rf '{cluster.Root}'";
        var start = new System.Diagnostics.ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "sh", "-c", script })
        {
            start.ArgumentList.Add(arg);
        }

        System.Diagnostics.Process.Start(start)?.Dispose();
    }

    /// <summary>Clusters of test runs that were killed before they could clean up.</summary>
    private static async Task RemoveAbandonedAsync(string parent)
    {
        foreach (var dir in Directory.GetDirectories(parent))
        {
            var owner = Path.GetFileName(dir).Split('-')[0];
            if (int.TryParse(owner, out var pid) && IsAlive(pid))
            {
                continue;
            }

            try
            {
                // Taking over the abandoned cluster (its owner lock is free) and stopping it removes it.
                var abandoned = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(dir, Throwaway: true));
                await abandoned.StopAsync();
            }
            catch (Exception e) when (e is LocalPostgresUnavailableException or IOException or UnauthorizedAccessException)
            {
                // Half removed already (its reaper may still be at work): clean-up must never fail a run.
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
