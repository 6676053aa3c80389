using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>Marten's own record of each stream's version (<c>mt_streams</c>): cutting the newest events shows against it.</summary>
public sealed class StreamVersions(NpgsqlDataSource db, LedgerSchema schema)
{
    /// <summary>A snapshot of the ledger to read the versions and the events they count in (<see cref="LedgerSnapshot"/>).</summary>
    public Task<LedgerSnapshot> SnapshotAsync(CancellationToken ct) => LedgerSnapshot.OpenAsync(db, ct);

    /// <summary>The recorded version of every agreement, or of one, in <paramref name="snapshot"/>; a stream without one counts as 0.</summary>
    public async Task<Dictionary<string, long>> ReadAsync(string? agreementId, LedgerSnapshot snapshot, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select id, version from {schema.Events}.{MartenTables.Streams}" + (agreementId is null ? "" : " where id = @id"), snapshot.Connection, snapshot.Transaction);
        if (agreementId is not null)
        {
            command.Parameters.AddWithValue("id", agreementId);
        }

        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        }

        return versions;
    }
}
