using System.Security.Cryptography;
using AgreementLedger.Infrastructure;

namespace AgreementLedger.LocalPostgres;

/// <summary>
/// The passwords a cluster's owner (and any process sharing it) connects with, and the files in the private
/// folder that keep them (<see cref="LocalPostgresAccess"/>).
/// </summary>
internal sealed record ClusterPasswords(string Superuser, string Service)
{
    /// <summary>A copy of the superuser's password initdb (run as the cluster's OS user) can read; delete it after.</summary>
    public static string HandToInitdb(string root, string password)
    {
        var path = Path.Combine(root, "initdb-password");
        File.Delete(path);
        Write(path, password, FileMode.CreateNew);
        if (!OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess)
        {
            ClusterProcess.Run("chown", [$"{LocalPostgresAccess.ClusterUser}:", path]);
        }

        return path;
    }

    public static string? ReadSuperuser(string root) => Read(LocalPostgresAccess.SuperuserPasswordFile(root));

    public static string CreateSuperuser(string root)
    {
        var password = New();
        Write(LocalPostgresAccess.SuperuserPasswordFile(root), password, FileMode.Create);
        return password;
    }

    /// <summary>48 hex digits: nothing in it needs quoting in SQL, a connection string or a pgpass line.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string? Read(string path)
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
    public static void Write(string path, string secret, FileMode mode) =>
        SecretFile.Write(path, System.Text.Encoding.ASCII.GetBytes(secret + "\n"), mode);
}
