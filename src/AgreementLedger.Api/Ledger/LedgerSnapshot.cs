using System.Data;
using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>
/// One read-only, repeatable-read transaction: every read in it sees the ledger as of its first read, so what one
/// read says of another holds while writers go on (the verify's recorded versions and the events they count).
/// </summary>
public sealed class LedgerSnapshot : IAsyncDisposable
{
    private LedgerSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction) => (Connection, Transaction) = (connection, transaction);

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public static async Task<LedgerSnapshot> OpenAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            await using (var readOnly = new NpgsqlCommand("set transaction read only", connection, transaction))
            {
                await readOnly.ExecuteNonQueryAsync(ct);
            }

            return new LedgerSnapshot(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
