using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AgreementLedger.Infrastructure.LocalPostgres;

public sealed class LocalPostgresUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);

/// <summary>Where and how a private PostgreSQL cluster runs.</summary>
/// <param name="Root">Folder that holds the cluster's data folder, its log and the owner lock.</param>
/// <param name="BinDirectory">PostgreSQL bin folder; found automatically when null.</param>
/// <param name="Port">Loopback port; a free one (preferring the last one used) when null.</param>
/// <param name="Throwaway">Test clusters trade durability for speed (fsync off).</param>
public sealed record LocalPostgresOptions(string Root, string? BinDirectory = null, int? Port = null, bool Throwaway = false)
{
    /// <summary>A per-user folder that outlives the process: /var/lib for root (the postgres
    /// account cannot traverse /root), the XDG data folder otherwise.</summary>
    public static string DefaultRoot()
    {
        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/agreement-ledger/postgres";
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrWhiteSpace(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "agreement-ledger", "postgres");
    }
}

/// <summary>
/// A PostgreSQL cluster run from the machine's binaries. The process that holds the owner lock
/// starts and stops it; a cluster found running while nobody holds the lock was left by a killed
/// process and is adopted rather than started twice.
/// </summary>
/// <remarks>
/// Nobody connects without a password: TCP on loopback asks for scram-sha-256 (and the Unix socket,
/// when one is configured, for peer). The superuser's password serves the administrative steps
/// alone; the service connects as <see cref="ServiceRole"/>, which is no superuser and owns the
/// ledger's database. Both passwords, and the service's digest signing key, live in
/// <see cref="PrivateDirectory"/>, which only the service's own OS user can enter; see
/// <see cref="LocalPostgresAccess"/> for the folder's layout and how an older one is converted.
/// </remarks>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    /// <summary>The bootstrap superuser, for administrative steps only.</summary>
    public const string Superuser = "postgres";

    /// <summary>The role the service connects as: it owns the ledger's database and nothing else.</summary>
    public const string ServiceRole = "ledger_service";

    private readonly LocalPostgresOptions _options;
    private readonly string _bin;
    private readonly FileStream? _ownerLock;
    private readonly ClusterPasswords _passwords;
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    private LocalPostgresCluster(LocalPostgresOptions options, string bin, FileStream? ownerLock, int port, ClusterPasswords passwords)
    {
        _options = options;
        _bin = bin;
        _ownerLock = ownerLock;
        Port = port;
        _passwords = passwords;
    }

    public int Port { get; }

    public string BinDirectory => _bin;

    public string Root => _options.Root;

    public bool Owned => _ownerLock is not null;

    public string DataDirectory => Path.Combine(_options.Root, "data");

    public string LogFile => LocalPostgresAccess.LogFile(_options.Root);

    /// <summary>Owned by the service's OS user, mode 0700: the passwords and the digest signing key.</summary>
    public string PrivateDirectory => LocalPostgresAccess.PrivateDirectory(_options.Root);

    /// <summary>The service's digest signing key: the Development default of Ledger:Audit:KeyFile.</summary>
    public string AuditKeyFile => LocalPostgresAccess.AuditKeyFile(_options.Root);

    /// <summary>The file that holds <see cref="ServiceRole"/>'s password (for psql: PGPASSWORD).</summary>
    public string ServicePasswordFile => LocalPostgresAccess.ServicePasswordFile(_options.Root);

    /// <summary>What happened at start, for the service's log.</summary>
    public string StartReport { get; private set; } = "";

    /// <summary>How the service connects: as <see cref="ServiceRole"/>, with its password.</summary>
    public string ConnectionString(string database) => Connect(Port, ServiceRole, _passwords.Service, database);

    /// <summary>As the superuser: for administrative steps (and test fixtures), never for serving.</summary>
    public string SuperuserConnectionString(string database) => Connect(Port, Superuser, _passwords.Superuser, database);

    private static string Connect(int port, string user, string password, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = user,
        Password = password,
        Database = database,
    }.ConnectionString;

    public static async Task<LocalPostgresCluster> StartAsync(LocalPostgresOptions options, CancellationToken ct = default)
    {
        var bin = PostgresBinaries.Find(options.BinDirectory)
            ?? throw new LocalPostgresUnavailableException("No PostgreSQL server binaries were found. " + PostgresBinaries.InstallHint);

        LocalPostgresAccess.PrepareRoot(options.Root);
        var dataDir = Path.Combine(options.Root, "data");
        var ownerLock = TryLock(Path.Combine(options.Root, "owner.lock"));

        if (ownerLock is null)
        {
            // Another live service process owns this cluster: share it, never start a second one.
            var sharedPort = await WaitForRunningPortAsync(dataDir, ct)
                ?? throw new LocalPostgresUnavailableException(
                    $"The PostgreSQL cluster in {options.Root} is owned by another process but is not running.");
            var shared = await LocalPostgresAccess.WaitForServiceRoleAsync(options.Root, sharedPort, ct);
            return new LocalPostgresCluster(options, bin, null, sharedPort, shared) { StartReport = $"shared with its owning process on port {sharedPort}" };
        }

        try
        {
            var report = new List<string>();
            LocalPostgresAccess.ConvertOldLayout(options.Root, report);
            var superuserPassword = LocalPostgresAccess.ReadSuperuserPassword(options.Root);
            if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
            {
                if (Directory.Exists(dataDir))
                {
                    Directory.Delete(dataDir, recursive: true);
                }

                superuserPassword ??= LocalPostgresAccess.CreateSuperuserPassword(options.Root);
                LocalPostgresAccess.CreateDataDirectory(dataDir);
                var passwordFile = LocalPostgresAccess.HandPasswordToInitdb(options.Root, superuserPassword);
                try
                {
                    await RunAsync(bin, "initdb", ["-D", dataDir, "-U", Superuser, "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile", passwordFile,
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"], ct);
                }
                finally
                {
                    File.Delete(passwordFile);
                }

                report.Add("initialised");
            }

            var running = await RunningPortAsync(bin, dataDir, ct);
            var trusting = LocalPostgresAccess.TrustsAnyone(dataDir);
            if (trusting || superuserPassword is null)
            {
                // A folder of an older version (trust for every local connection), or one whose superuser password
                // was lost: the superuser gets a new one in single-user mode, before anything listens.
                if (running is not null)
                {
                    await RunAsync(bin, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"], ct);
                    running = null;
                    report.Add("stopped the running cluster to change how it authenticates");
                }

                superuserPassword ??= LocalPostgresAccess.CreateSuperuserPassword(options.Root);
                await RunAsync(bin, "postgres", ["--single", "-D", dataDir, "-c", "exit_on_error=on", "postgres"], ct,
                    input: $"alter role {Superuser} password '{superuserPassword}'\n");
                if (trusting)
                {
                    LocalPostgresAccess.RequirePasswords(dataDir);
                    report.Add("converted from trust to password authentication (scram-sha-256)");
                }
                else
                {
                    report.Add("gave the superuser a new password");
                }
            }

            int port;
            if (running is { } adopted && await AnswersAsync(bin, dataDir, adopted, superuserPassword, ct))
            {
                port = adopted;
                report.Add($"adopted the cluster left running by an earlier process on port {port}");
            }
            else
            {
                if (running is not null)
                {
                    // Found shutting down, or not answering: stop it cleanly, then start afresh.
                    await RunAsync(bin, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"], ct, throwOnFailure: false);
                    report.Add("restarted a cluster that was not answering");
                }

                port = ChoosePort(options);
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

                await RunAsync(bin, "pg_ctl", ["-D", dataDir, "-l", LocalPostgresAccess.LogFile(options.Root), "-w", "-t", "60", "-o", serverOptions, "start"], ct);
                await File.WriteAllTextAsync(Path.Combine(options.Root, "port"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
                report.Add($"started on port {port}");
            }

            var passwords = await LocalPostgresAccess.EnsureServiceRoleAsync(options.Root, Connect(port, Superuser, superuserPassword, "postgres"), superuserPassword, ct);
            return new LocalPostgresCluster(options, bin, ownerLock, port, passwords) { StartReport = string.Join(", ", report) };
        }
        catch
        {
            await ownerLock.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the database, owned by <see cref="ServiceRole"/>, or hands an existing one to it with every
    /// schema, table, sequence, function and type in it that the superuser created (a folder of an older version).
    /// </summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken ct = default)
    {
        // Unpooled: a pooled connection may predate a restart of the cluster.
        await using (var connection = new NpgsqlConnection(SuperuserConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync(ct);
            var quoted = LocalPostgresAccess.Quote(database);
            await using var owner = new NpgsqlCommand("select pg_get_userbyid(datdba) from pg_database where datname = $1", connection);
            owner.Parameters.Add(new NpgsqlParameter { Value = database });
            switch (await owner.ExecuteScalarAsync(ct))
            {
                case null:
                    await using (var create = new NpgsqlCommand($"create database {quoted} owner {ServiceRole}", connection))
                    {
                        try
                        {
                            await create.ExecuteNonQueryAsync(ct);
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase || e.SqlState == PostgresErrorCodes.UniqueViolation)
                        {
                            // Created concurrently by another process: what we wanted.
                        }
                    }

                    return;
                case string current when current != ServiceRole:
                    await using (var alter = new NpgsqlCommand($"alter database {quoted} owner to {ServiceRole}", connection))
                    {
                        await alter.ExecuteNonQueryAsync(ct);
                    }

                    break;
            }
        }

        await LocalPostgresAccess.HandOverObjectsAsync(SuperuserConnectionString(database) + ";Pooling=false", ct);
    }

    /// <summary>
    /// Stops the cluster if this process owns it (a shared cluster is left to its owner). Every
    /// caller awaits the same stop, so a second call returns only once the cluster is down.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopGate)
        {
            return _stopping ??= StopOnceAsync();
        }
    }

    private async Task StopOnceAsync()
    {
        if (_ownerLock is null)
        {
            return;
        }

        try
        {
            var mode = _options.Throwaway ? "immediate" : "fast";
            await RunAsync(_bin, "pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"], CancellationToken.None);
        }
        finally
        {
            await _ownerLock.DisposeAsync();
            if (_options.Throwaway)
            {
                TryDelete(_options.Root);
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int ChoosePort(LocalPostgresOptions options)
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
    private static async Task<int?> RunningPortAsync(string bin, string dataDir, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            return null;
        }

        var status = await RunAsync(bin, "pg_ctl", ["-D", dataDir, "status"], ct, throwOnFailure: false);
        return status == 0 ? ReadPidFilePort(dataDir) : null;
    }

    /// <summary>Whether the postmaster on this port accepts queries (waiting out a start-up in progress).</summary>
    private static async Task<bool> AnswersAsync(string bin, string dataDir, int port, string superuserPassword, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(Connect(port, Superuser, superuserPassword, "postgres")) { Pooling = false, Timeout = 5 }.ConnectionString;
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
                if (await RunAsync(bin, "pg_ctl", ["-D", dataDir, "status"], ct, throwOnFailure: false) != 0)
                {
                    return false;
                }

                await Task.Delay(100, ct);
            }
        }

        return false;
    }

    private static async Task<int?> WaitForRunningPortAsync(string dataDir, CancellationToken ct)
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

    internal static int Run(string file, string[] args, bool throwOnFailure = true) => Run(file, args, out _, throwOnFailure);

    internal static int Run(string file, string[] args, out string output, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new LocalPostgresUnavailableException($"Could not run {file}.");
        output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new LocalPostgresUnavailableException($"{file} failed ({process.ExitCode}): {error.Trim()}");
        }

        return process.ExitCode;
    }

    /// <summary>Runs a PostgreSQL tool, as the cluster's OS user when this process is root; <paramref name="input"/> goes to its standard input.</summary>
    private static async Task<int> RunAsync(string bin, string tool, string[] args, CancellationToken ct, bool throwOnFailure = true, string? input = null)
    {
        var executable = Path.Combine(bin, tool);
        ProcessStartInfo start;
        if (Environment.IsPrivilegedProcess)
        {
            start = new ProcessStartInfo("setpriv");
            foreach (var arg in new[] { $"--reuid={LocalPostgresAccess.ClusterUser}", $"--regid={LocalPostgresAccess.ClusterUser}", "--init-groups", executable })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start = new ProcessStartInfo(executable);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null;
        // pg_ctl's children inherit these pipes; reading to the end would wait for the postmaster
        // to exit, so output is collected asynchronously and only up to the tool's own exit.
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalPostgresUnavailableException($"Could not run {executable}: {e.Message}. " + PostgresBinaries.InstallHint, e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync(ct);
        if (throwOnFailure && process.ExitCode != 0)
        {
            string text;
            lock (output)
            {
                text = output.ToString().Trim();
            }

            throw new LocalPostgresUnavailableException($"{tool} failed with exit code {process.ExitCode}: {text}");
        }

        return process.ExitCode;
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
