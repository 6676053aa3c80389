namespace AgreementLedger.Infrastructure;

/// <summary>Start-up failed for a reason the operator can fix; the message says how.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
