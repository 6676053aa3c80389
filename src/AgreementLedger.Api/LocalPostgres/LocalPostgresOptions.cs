namespace AgreementLedger.LocalPostgres;

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
