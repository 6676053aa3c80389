using System.Data;
using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>
/// A stream held by <see cref="LedgerAppend.LockAsync"/>: an open transaction on <see cref="Connection"/> holding the
/// stream's row lock, with the version and snapshot read under it. Disposing it rolls back what was not committed.
/// </summary>
public sealed class StreamLock(NpgsqlConnection connection, long version, string? snapshot) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;

    public long Version { get; } = version;

    public string? Snapshot { get; } = snapshot;

    /// <summary>Whether the transaction has ended (committed, or rolled back after a failed commit).</summary>
    internal bool Ended { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (!Ended && Connection.State == ConnectionState.Open)
        {
            // Back to the pool outside any transaction: the lock was taken but nothing was committed under it.
            await LedgerAppend.RollbackAsync(Connection);
        }

        await Connection.DisposeAsync();
    }
}
