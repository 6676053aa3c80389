namespace AgreementLedger.Witness;

/// <summary>Why the witness cannot start (bad arguments, an unreadable key or state): printed, and the process exits 2.</summary>
public sealed class WitnessRefusalException(string message, Exception? inner = null) : Exception(message, inner);
