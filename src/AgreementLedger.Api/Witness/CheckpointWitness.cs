namespace AgreementLedger.Witness;

/// <summary>
/// The running witness: its key, the log keys it trusts, and its state, of which it takes one submission at a
/// time — the check against the state and the durable write of the new state happen under one lock, so two
/// submissions of different roots for one size can never both be cosigned, and nothing is answered before the
/// state that answer implies is on disk.
/// </summary>
public sealed class CheckpointWitness(WitnessKey key, LogKeys trusted, WitnessStateFile file, WitnessState loaded, string name, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private WitnessState _state = loaded;

    /// <summary>The witness's name, the <c>witness</c> member of its cosignatures (Witness:Name; default <c>witness/</c> + its key id).</summary>
    public string Name { get; } = name;

    public WitnessKey Key { get; } = key;

    /// <summary>The state as of the last answered submission.</summary>
    public WitnessState State => Volatile.Read(ref _state);

    public async Task<SubmissionOutcome> SubmitAsync(CheckedSubmission submission, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var (outcome, next) = WitnessDecision.Decide(_state, trusted, submission, Key, Name, clock.GetUtcNow());
            if (next is not null)
            {
                file.Save(next);
                Volatile.Write(ref _state, next);
            }

            return outcome;
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
