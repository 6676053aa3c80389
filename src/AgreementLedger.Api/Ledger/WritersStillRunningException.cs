namespace AgreementLedger.Ledger;

/// <summary>Transactions writing events did not end in time for a safe position to be found.</summary>
public sealed class WritersStillRunningException(long position, IReadOnlyList<string> writers, TimeSpan waited)
    : TimeoutException($"{writers.Count} transaction(s) writing events had not ended after {waited.TotalSeconds:0.#} s ({string.Join("; ", writers)}); " +
        $"positions up to {position} are not yet known to be final")
{
    public long Position { get; } = position;
}
