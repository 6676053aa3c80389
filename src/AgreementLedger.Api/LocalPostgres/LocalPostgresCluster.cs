using Npgsql;

namespace AgreementLedger.LocalPostgres;


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

    internal static string Connect(int port, string user, string password, string database) => new NpgsqlConnectionStringBuilder
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
            var sharedPort = await Postmaster.WaitForRunningPortAsync(dataDir, ct)
                ?? throw new LocalPostgresUnavailableException(
                    $"The PostgreSQL cluster in {options.Root} is owned by another process but is not running.");
            var shared = await ServiceRoleSetup.WaitForServiceRoleAsync(options.Root, sharedPort, ct);
            return new LocalPostgresCluster(options, bin, null, sharedPort, shared) { StartReport = $"shared with its owning process on port {sharedPort}" };
        }

        try
        {
            var report = new List<string>();
            LocalPostgresAccess.ConvertOldLayout(options.Root, report);
            var superuserPassword = ClusterPasswords.ReadSuperuser(options.Root);
            if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
            {
                if (Directory.Exists(dataDir))
                {
                    Directory.Delete(dataDir, recursive: true);
                }

                superuserPassword ??= ClusterPasswords.CreateSuperuser(options.Root);
                await Postmaster.InitialiseAsync(bin, options.Root, superuserPassword, ct);
                report.Add("initialised");
            }

            var running = await Postmaster.RunningPortAsync(bin, dataDir, ct);
            var trusting = LocalPostgresAccess.TrustsAnyone(dataDir);
            if (trusting || superuserPassword is null)
            {
                // A folder of an older version (trust for every local connection), or one whose superuser password
                // was lost: the superuser gets a new one in single-user mode, before anything listens.
                if (running is not null)
                {
                    await Postmaster.StopAsync(bin, dataDir, "fast", ct);
                    running = null;
                    report.Add("stopped the running cluster to change how it authenticates");
                }

                superuserPassword ??= ClusterPasswords.CreateSuperuser(options.Root);
                await ClusterProcess.RunAsync(bin, "postgres", ["--single", "-D", dataDir, "-c", "exit_on_error=on", "postgres"], ct,
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
            if (running is { } adopted && await Postmaster.AnswersAsync(bin, dataDir, adopted, superuserPassword, ct))
            {
                port = adopted;
                report.Add($"adopted the cluster left running by an earlier process on port {port}");
            }
            else
            {
                if (running is not null)
                {
                    // Found shutting down, or not answering: stop it cleanly, then start afresh.
                    await Postmaster.StopAsync(bin, dataDir, "fast", ct, throwOnFailure: false);
                    report.Add("restarted a cluster that was not answering");
                }

                port = await Postmaster.StartAsync(bin, options, ct);
                report.Add($"started on port {port}");
            }

            var passwords = await ServiceRoleSetup.EnsureServiceRoleAsync(options.Root, Connect(port, Superuser, superuserPassword, "postgres"), superuserPassword, ct);
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
    public Task EnsureDatabaseAsync(string database, CancellationToken ct = default) =>
        ServiceRoleSetup.EnsureDatabaseAsync(SuperuserConnectionString, database, ct);

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
            await Postmaster.StopAsync(_bin, DataDirectory, mode, CancellationToken.None);
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
