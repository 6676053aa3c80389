using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AgreementLedger.LocalPostgres;

/// <summary>
/// The postmaster of a data folder, driven from outside with PostgreSQL's tools: creating the folder,
/// starting and stopping it, which port it runs on (from <c>postmaster.pid</c>) and whether it answers.
/// </summary>
internal static class Postmaster
{
    /// <summary>
    /// Creates the data folder with initdb: UTF-8, the superuser with <paramref name="superuserPassword"/>,
    /// scram-sha-256 on TCP and peer on a socket (<see cref="LocalPostgresAccess"/>).
    /// </summary>
    public static async Task InitialiseAsync(string bin, string root, string superuserPassword, CancellationToken ct)
    {
        LocalPostgresAccess.CreateDataDirectory(Path.Combine(root, "data"));
        var passwordFile = ClusterPasswords.HandToInitdb(root, superuserPassword);
        try
        {
            await ClusterProcess.RunAsync(bin, "initdb", ["-D", Path.Combine(root, "data"), "-U", LocalPostgresCluster.Superuser, "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile", passwordFile,
                "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"], ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// Starts a postmaster on the data folder, listening on loopback TCP alone (no Unix socket), at the port
    /// <see cref="ChoosePort"/> picks, which is remembered for the next start; returns that port.
    /// </summary>
    public static async Task<int> StartAsync(string bin, LocalPostgresOptions options, CancellationToken ct)
    {
        var port = ChoosePort(options);
        var serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
        if (options.Throwaway)
        {
            serverOptions += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            // Lets tests count the statements the service sends (when the contrib module is installed).
            if (File.Exists(Path.Combine(bin, "..", "lib", "pg_stat_statements.so")))
            {
                serverOptions += " -c shared_preload_libraries=pg_stat_statements";
            }
        }

        await ClusterProcess.RunAsync(bin, "pg_ctl", ["-D", Path.Combine(options.Root, "data"), "-l", LocalPostgresAccess.LogFile(options.Root), "-w", "-t", "60", "-o", serverOptions, "start"], ct);
        await File.WriteAllTextAsync(Path.Combine(options.Root, "port"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        return port;
    }

    /// <summary>Stops the postmaster of a data folder (<paramref name="mode"/>: pg_ctl's smart, fast or immediate), waiting up to a minute.</summary>
    public static Task<int> StopAsync(string bin, string dataDir, string mode, CancellationToken ct, bool throwOnFailure = true) =>
        ClusterProcess.RunAsync(bin, "pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "60", "stop"], ct, throwOnFailure);

    public static int ChoosePort(LocalPostgresOptions options)
    {
        if (options.Port is { } configured)
        {
            return configured;
        }

        var remembered = Path.Combine(options.Root, "port");
        if (File.Exists(remembered) && int.TryParse(File.ReadAllText(remembered).Trim(), out var last) && IsFree(last))
        {
            return last;
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The port of the postmaster running on this data folder, or null when none runs.</summary>
    public static async Task<int?> RunningPortAsync(string bin, string dataDir, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            return null;
        }

        var status = await ClusterProcess.RunAsync(bin, "pg_ctl", ["-D", dataDir, "status"], ct, throwOnFailure: false);
        return status == 0 ? ReadPidFilePort(dataDir) : null;
    }

    /// <summary>Whether the postmaster on this port accepts queries (waiting out a start-up in progress).</summary>
    public static async Task<bool> AnswersAsync(string bin, string dataDir, int port, string superuserPassword, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(LocalPostgresCluster.Connect(port, LocalPostgresCluster.Superuser, superuserPassword, "postgres")) { Pooling = false, Timeout = 5 }.ConnectionString;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                await using var probe = new NpgsqlCommand("select 1", connection);
                await probe.ExecuteScalarAsync(ct);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new LocalPostgresUnavailableException(
                    $"The running cluster in {dataDir} refuses the superuser password kept in {LocalPostgresAccess.PrivateDirectory(Path.GetDirectoryName(dataDir)!)}. " +
                    "Stop it (pg_ctl stop) and delete superuser-password there: the next start sets a new one.", e);
            }
            catch (NpgsqlException)
            {
                if (await ClusterProcess.RunAsync(bin, "pg_ctl", ["-D", dataDir, "status"], ct, throwOnFailure: false) != 0)
                {
                    return false;
                }

                await Task.Delay(100, ct);
            }
        }

        return false;
    }

    public static async Task<int?> WaitForRunningPortAsync(string dataDir, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var port = File.Exists(Path.Combine(dataDir, "postmaster.pid")) ? ReadPidFilePort(dataDir) : null;
            if (port is not null)
            {
                return port;
            }

            await Task.Delay(500, ct);
        }

        return null;
    }

    private static int? ReadPidFilePort(string dataDir)
    {
        try
        {
            // postmaster.pid: line 1 pid, 2 data dir, 3 start time, 4 port.
            var lines = File.ReadAllLines(Path.Combine(dataDir, "postmaster.pid"));
            return lines.Length >= 4 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
