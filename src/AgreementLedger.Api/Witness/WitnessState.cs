namespace AgreementLedger.Witness;

/// <summary>
/// What a witness remembers of one log (keyed by its origin): the size and root of the tree it last cosigned, the
/// key that signed that checkpoint, and the checkpoint with the witness's cosignature, which
/// <c>GET /witness/checkpoint</c> serves.
/// </summary>
public sealed record LogState(string Origin, long TreeSize, string RootHash, string KeyId, CheckpointJson Checkpoint, CosignatureJson Cosignature);

/// <summary>
/// Everything a witness remembers, written to its state directory before it answers. <c>PinnedKey</c> is the log
/// key trusted on first use (base64 DER SubjectPublicKeyInfo) when the witness was started without
/// <c>--log-key</c>. <c>Logs</c> holds the most recently cosigned log last.
/// </summary>
public sealed record WitnessState(string? PinnedKey, IReadOnlyList<LogState> Logs)
{
    public static WitnessState Empty { get; } = new(null, []);

    public LogState? Log(string origin) => Logs.FirstOrDefault(l => l.Origin == origin);

    /// <summary>The log most recently cosigned, which <c>GET /witness/checkpoint</c> serves by default.</summary>
    public LogState? Newest => Logs.Count > 0 ? Logs[^1] : null;

    public WitnessState With(LogState log) => this with { Logs = [.. Logs.Where(l => l.Origin != log.Origin), log] };
}
