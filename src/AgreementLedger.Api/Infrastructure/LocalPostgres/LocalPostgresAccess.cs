using System.Security.Cryptography;
using Npgsql;

namespace AgreementLedger.Infrastructure.LocalPostgres;

/// <summary>The passwords a cluster's owner (and any process sharing it) connects with.</summary>
internal sealed record ClusterPasswords(string Superuser, string Service);

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

    private static string SuperuserPasswordFile(string root) => Path.Combine(PrivateDirectory(root), "superuser-password");

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
            if (LocalPostgresCluster.Run("id", ["-g", ClusterUser], out var group, throwOnFailure: false) != 0)
            {
                throw new LocalPostgresUnavailableException(
                    $"Running as root, the local PostgreSQL cluster must run as the '{ClusterUser}' system user, which does not exist. " + PostgresBinaries.InstallHint);
            }

            LocalPostgresCluster.Run("chown", [$"0:{group.Trim()}", root]);
            File.SetUnixFileMode(root, OwnerOnly | UnixFileMode.GroupExecute);
            LocalPostgresCluster.Run("chown", ["0:0", privateDirectory]);
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
                LocalPostgresCluster.Run("chown", ["0:0", kept]);
            }

            File.SetUnixFileMode(kept, OwnerReadWrite);
        }

        if (Environment.IsPrivilegedProcess)
        {
            foreach (var file in ServiceFiles.Select(f => Path.Combine(root, f)).Where(File.Exists))
            {
                LocalPostgresCluster.Run("chown", ["0:0", file]);
            }

            // pg_ctl opens the log as the postgres user, who may not create files here.
            var log = LogFile(root);
            if (!File.Exists(log))
            {
                File.Create(log).Dispose();
            }

            LocalPostgresCluster.Run("chown", [$"{ClusterUser}:", log]);
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
            LocalPostgresCluster.Run("chown", [$"{ClusterUser}:", dataDir]);
        }

        File.SetUnixFileMode(dataDir, OwnerOnly);
    }

    /// <summary>A copy of the superuser's password initdb (run as the cluster's OS user) can read; delete it after.</summary>
    public static string HandPasswordToInitdb(string root, string password)
    {
        var path = Path.Combine(root, "initdb-password");
        File.Delete(path);
        WriteSecret(path, password, FileMode.CreateNew);
        if (!OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess)
        {
            LocalPostgresCluster.Run("chown", [$"{ClusterUser}:", path]);
        }

        return path;
    }

    public static string? ReadSuperuserPassword(string root) => ReadSecret(SuperuserPasswordFile(root));

    public static string CreateSuperuserPassword(string root)
    {
        var password = NewPassword();
        WriteSecret(SuperuserPasswordFile(root), password, FileMode.Create);
        return password;
    }

    /// <summary>Whether pg_hba.conf lets anyone in without a password (what older versions wrote).</summary>
    public static bool TrustsAnyone(string dataDir) => File.ReadLines(Path.Combine(dataDir, "pg_hba.conf"))
        .Select(line => line.Split('#', 2)[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        .Any(tokens => tokens.Contains("trust", StringComparer.OrdinalIgnoreCase));

    /// <summary>Replaces pg_hba.conf by one that asks every connection for a password (or, on a socket, for peer).</summary>
    public static void RequirePasswords(string dataDir) => File.WriteAllText(Path.Combine(dataDir, "pg_hba.conf"), HbaConf);

    /// <summary>
    /// Creates the service's role, or makes sure it is what it must be: allowed to log in with the password kept in
    /// the private folder (made when missing), and no superuser, nor allowed to create roles or databases.
    /// </summary>
    public static async Task<ClusterPasswords> EnsureServiceRoleAsync(string root, string superuserConnectionString, string superuserPassword, CancellationToken ct)
    {
        var file = ServicePasswordFile(root);
        var password = ReadSecret(file);
        if (password is null)
        {
            password = NewPassword();
            WriteSecret(file, password, FileMode.Create);
        }

        await using var connection = new NpgsqlConnection(superuserConnectionString + ";Pooling=false");
        await connection.OpenAsync(ct);
        var role = LocalPostgresCluster.ServiceRole;
        await using var ensure = new NpgsqlCommand(
            $"do $$ begin if not exists (select from pg_roles where rolname = '{role}') then create role {role}; end if; " +
            "exception when duplicate_object then null; end $$; " +
            $"alter role {role} with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '{password}'",
            connection);
        await ensure.ExecuteNonQueryAsync(ct);
        return new ClusterPasswords(superuserPassword, password);
    }

    /// <summary>For a process sharing the cluster: the passwords, once its owner has set the service's role up.</summary>
    public static async Task<ClusterPasswords> WaitForServiceRoleAsync(string root, int port, CancellationToken ct)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if (ReadSecret(SuperuserPasswordFile(root)) is { } superuser && ReadSecret(ServicePasswordFile(root)) is { } service)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1", Port = port, Username = LocalPostgresCluster.ServiceRole, Password = service, Database = "postgres", Pooling = false, Timeout = 5,
                    }.ConnectionString);
                    await connection.OpenAsync(ct);
                    return new ClusterPasswords(superuser, service);
                }
                catch (NpgsqlException e)
                {
                    last = e;
                }
            }

            await Task.Delay(500, ct);
        }

        throw new LocalPostgresUnavailableException($"The PostgreSQL cluster in {root} is owned by another process that did not set up the service's role.", last);
    }

    /// <summary>
    /// Gives <see cref="LocalPostgresCluster.ServiceRole"/> every schema, table, view, sequence, function and type of the
    /// connected database that the bootstrap superuser owns (what an older version, which served as the superuser, created),
    /// outside the system schemas and extensions. REASSIGN OWNED cannot do it: the bootstrap superuser's objects include the
    /// system's own. Cheap when there is nothing to hand over.
    /// </summary>
    public static async Task HandOverObjectsAsync(string superuserConnectionString, CancellationToken ct)
    {
        const string HandOver = """
            do $$
            declare
              r record;
              svc constant text := '{role}';
            begin
              for r in select n.nspname from pg_namespace n
                       where n.nspowner = 10 and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
              loop
                execute format('alter schema %I owner to %I', r.nspname, svc);
              end loop;

              for r in select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relowner = 10 and c.relkind in ('r', 'p', 'v', 'm', 'f')
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I',
                  case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, r.name, svc);
              end loop;

              -- Sequences a column owns followed their table; these are the free-standing ones.
              for r in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relowner = 10 and c.relkind = 'S'
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i', 'e'))
              loop
                execute format('alter sequence %s owner to %I', r.name, svc);
              end loop;

              for r in select p.oid::regprocedure as name, p.prokind from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                       where p.proowner = 10 and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I',
                  case r.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end, r.name, svc);
              end loop;

              -- Row types follow their tables, array and multirange types their element and range types.
              for r in select t.oid::regtype as name, t.typtype from pg_type t join pg_namespace n on n.oid = t.typnamespace
                       where t.typowner = 10 and t.typtype in ('c', 'd', 'e', 'r')
                         and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I', case r.typtype when 'd' then 'domain' else 'type' end, r.name, svc);
              end loop;
            end $$
            """;
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(HandOver.Replace("{role}", LocalPostgresCluster.ServiceRole, StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>48 hex digits: nothing in it needs quoting in SQL, a connection string or a pgpass line.</summary>
    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static string? ReadSecret(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes a password owner-only from its first byte (the service's OS user's, in its private folder).</summary>
    private static void WriteSecret(string path, string secret, FileMode mode) =>
        SecretFile.Write(path, System.Text.Encoding.ASCII.GetBytes(secret + "\n"), mode);
}
