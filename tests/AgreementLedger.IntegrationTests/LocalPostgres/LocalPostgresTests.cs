using System.Diagnostics;
using AgreementLedger.Infrastructure;
using AgreementLedger.LocalPostgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace AgreementLedger.IntegrationTests.LocalPostgres;

/// <summary>The embedded default's life cycle, on clusters of its own (not the test run's).</summary>
public sealed class LocalPostgresTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-lifecycle-{Guid.NewGuid():N}");

    [Fact]
    public async Task a_second_start_reuses_the_data_and_a_concurrent_start_shares_the_running_cluster()
    {
        var first = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        await first.EnsureDatabaseAsync("ledger");
        await ExecuteAsync(first, "create table kept (v int); insert into kept values (42)");

        var second = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        Assert.False(second.Owned);
        Assert.Equal(first.Port, second.Port);
        await second.StopAsync();
        Assert.Equal(42, await ScalarAsync(first, "select v from kept"));

        await first.StopAsync();
        Assert.False(File.Exists(Path.Combine(first.DataDirectory, "postmaster.pid")));

        var restarted = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        Assert.DoesNotContain("initialised", restarted.StartReport, StringComparison.Ordinal);
        Assert.Equal(42, await ScalarAsync(restarted, "select v from kept"));
        await restarted.StopAsync();
    }

    [Fact]
    public async Task a_cluster_left_running_by_a_killed_process_is_adopted_not_duplicated()
    {
        var owner = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        await owner.StopAsync();

        // What a SIGKILLed service leaves behind: a running postmaster and nobody holding the owner lock.
        var port = FreePort();
        Run(Path.Combine(owner.BinDirectory, "pg_ctl"), "-D", owner.DataDirectory, "-l", owner.LogFile, "-w",
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start");

        var adopted = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        await adopted.EnsureDatabaseAsync("ledger");

        Assert.True(adopted.Owned);
        Assert.Contains("adopted", adopted.StartReport, StringComparison.Ordinal);
        Assert.Equal(port, adopted.Port);
        Assert.Equal(1, await ScalarAsync(adopted, "select 1"));
        await adopted.StopAsync();
        Assert.False(File.Exists(Path.Combine(adopted.DataDirectory, "postmaster.pid")));
    }

    [Fact]
    public async Task without_binaries_start_fails_saying_how_to_install_them()
    {
        var error = await Assert.ThrowsAsync<LocalPostgresUnavailableException>(() =>
            LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root, BinDirectory: "/nonexistent/bin")));

        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:Ledger", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task outside_development_a_missing_connection_string_is_a_startup_error()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Ledger"] = "" });

        var error = await Assert.ThrowsAsync<StartupException>(() => LedgerDatabase.ResolveAsync(builder));

        Assert.Contains("ConnectionStrings__Ledger", error.Message, StringComparison.Ordinal);
        Assert.Contains("Production", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task ExecuteAsync(LocalPostgresCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("ledger") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<int> ScalarAsync(LocalPostgresCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString("ledger") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string executable, params string[] args)
    {
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv") { ArgumentList = { "--reuid=postgres", "--regid=postgres", "--init-groups", executable } }
            : new ProcessStartInfo(executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
