using AgreementLedger.Infrastructure;

namespace AgreementLedger.LocalPostgres;

/// <summary>
/// Who may reach what in the embedded cluster's folder. Run as root, the cluster runs as the
/// <c>postgres</c> OS user and the folder is:
/// <code>
/// root/                  root:postgres 0710   postgres may pass through, not list
///   data/                postgres 0700        the cluster (pg_hba: scram-sha-256 on loopback TCP, peer on a socket)
///   server.log           postgres 0600
///   private/             root 0700            superuser-password, service-password, audit-signing-key.pk8 (each 0600)
///   owner.lock, port     root
/// </code>
/// so neither the database's OS user nor its superuser (pg_read_binary_file) can read a password or
/// the key. Run as any other user, the cluster runs as that user and all of it is that user's (0700).
/// A folder of an older version (trust for every local connection, the key in root/, everything the
/// postgres user's) is converted by its next start: see <see cref="ConvertOldLayout"/>.
/// </summary>
internal static class LocalPostgresAccess
{
    /// <summary>The OS user the cluster runs as when the service runs as root.</summary>
    public const string ClusterUser = "postgres";

    public const string AuditKeyFileName = "audit-signing-key.pk8";

    /// <summary>Files in the folder that the service writes (older versions gave them to the postgres user).</summary>
    private static readonly string[] ServiceFiles = ["owner.lock", "port"];

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerReadWrite = SecretFile.OwnerReadWrite;

    private const string HbaConf = """
        # Written by AgreementLedger: nobody connects without a password (peer on a Unix socket).
        # TYPE  DATABASE        USER            ADDRESS                 METHOD
        local   all             all                                     peer
        host    all             all             127.0.0.1/32            scram-sha-256
        host    all             all             ::1/128                 scram-sha-256
        local   replication     all                                     peer
        host    replication     all             127.0.0.1/32            scram-sha-256
        host    replication     all             ::1/128                 scram-sha-256

        """;

    public static string PrivateDirectory(string root) => Path.Combine(root, "private");

    public static string AuditKeyFile(string root) => Path.Combine(PrivateDirectory(root), AuditKeyFileName);

    public static string ServicePasswordFile(string root) => Path.Combine(PrivateDirectory(root), "service-password");

    public static string LogFile(string root) => Path.Combine(root, "server.log");

    public static string SuperuserPasswordFile(string root) => Path.Combine(PrivateDirectory(root), "superuser-password");

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Creates the folder (and its private folder) and gives both their owners and modes.</summary>
    public static void PrepareRoot(string root)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(root));
        if (parent is not null && !Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent);
        }

        Directory.CreateDirectory(root);
        var privateDirectory = PrivateDirectory(root);
        Directory.CreateDirectory(privateDirectory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (Environment.IsPrivilegedProcess)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres account, which may pass
            // through this folder to its data and log, and no further.
            if (ClusterProcess.Run("id", ["-g", ClusterUser], out var group, throwOnFailure: false) != 0)
            {
                throw new LocalPostgresUnavailableException(
                    $"Running as root, the local PostgreSQL cluster must run as the '{ClusterUser}' system user, which does not exist. " + PostgresBinaries.InstallHint);
            }

            ClusterProcess.Run("chown", [$"0:{group.Trim()}", root]);
            File.SetUnixFileMode(root, OwnerOnly | UnixFileMode.GroupExecute);
            ClusterProcess.Run("chown", ["0:0", privateDirectory]);
        }
        else
        {
            File.SetUnixFileMode(root, OwnerOnly);
        }

        File.SetUnixFileMode(privateDirectory, OwnerOnly);
    }

    /// <summary>
    /// What an older version left (run under the owner lock, before the cluster starts): the digest signing key
    /// beside the data, where the database's OS user (and so its superuser, through pg_read_binary_file) could read
    /// it, moves into the private folder — moved, never regenerated, or every kept digest would stop verifying;
    /// and the files the service writes are given back to it.
    /// </summary>
    public static void ConvertOldLayout(string root, List<string> report)
    {
        var old = Path.Combine(root, AuditKeyFileName);
        var kept = AuditKeyFile(root);
        if (File.Exists(old))
        {
            if (!File.Exists(kept))
            {
                File.Move(old, kept);
                report.Add($"moved the digest signing key from {old} to {kept}");
            }
            else if (File.ReadAllBytes(old).AsSpan().SequenceEqual(File.ReadAllBytes(kept)))
            {
                File.Delete(old);
                report.Add($"removed a copy of the digest signing key from {old}");
            }
            else
            {
                throw new LocalPostgresUnavailableException(
                    $"Two different digest signing keys: {old} (where older versions kept it, readable by the database) and {kept}. " +
                    $"Keep the one that signed the kept digests as {kept}, remove the other, and list its public key in Ledger:Audit:PreviousPublicKeys.");
            }
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (File.Exists(kept))
        {
            if (Environment.IsPrivilegedProcess)
            {
                ClusterProcess.Run("chown", ["0:0", kept]);
            }

            File.SetUnixFileMode(kept, OwnerReadWrite);
        }

        if (Environment.IsPrivilegedProcess)
        {
            foreach (var file in ServiceFiles.Select(f => Path.Combine(root, f)).Where(File.Exists))
            {
                ClusterProcess.Run("chown", ["0:0", file]);
            }

            // pg_ctl opens the log as the postgres user, who may not create files here.
            var log = LogFile(root);
            if (!File.Exists(log))
            {
                File.Create(log).Dispose();
            }

            ClusterProcess.Run("chown", [$"{ClusterUser}:", log]);
            File.SetUnixFileMode(log, OwnerReadWrite);
        }
    }

    /// <summary>An empty data folder for initdb, the cluster's OS user's.</summary>
    public static void CreateDataDirectory(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (Environment.IsPrivilegedProcess)
        {
            ClusterProcess.Run("chown", [$"{ClusterUser}:", dataDir]);
        }

        File.SetUnixFileMode(dataDir, OwnerOnly);
    }

    /// <summary>Whether pg_hba.conf lets anyone in without a password (what older versions wrote).</summary>
    public static bool TrustsAnyone(string dataDir) => File.ReadLines(Path.Combine(dataDir, "pg_hba.conf"))
        .Select(line => line.Split('#', 2)[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        .Any(tokens => tokens.Contains("trust", StringComparer.OrdinalIgnoreCase));

    /// <summary>Replaces pg_hba.conf by one that asks every connection for a password (or, on a socket, for peer).</summary>
    public static void RequirePasswords(string dataDir) => File.WriteAllText(Path.Combine(dataDir, "pg_hba.conf"), HbaConf);
}
