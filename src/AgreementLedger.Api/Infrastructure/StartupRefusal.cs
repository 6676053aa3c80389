namespace AgreementLedger.Infrastructure;

/// <summary>
/// A reason not to run that is found only once the host has started (the addresses the server listens on):
/// the host is stopped, and Program.cs exits with code 2 and the reason, as for a <c>StartupException</c>.
/// </summary>
public sealed class StartupRefusal
{
    private string? _reason;

    public string? Reason => Volatile.Read(ref _reason);

    public void Refuse(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);
}
