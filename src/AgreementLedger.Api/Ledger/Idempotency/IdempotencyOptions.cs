using AgreementLedger.Infrastructure;
namespace AgreementLedger.Ledger.Idempotency;

/// <summary>Ledger:Idempotency settings.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a stored answer is replayed (docs/api.md default: 24 h).</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a claim of a request that never finished (its process died) blocks retries.</summary>
    public TimeSpan InFlightLease { get; set; } = TimeSpan.FromMinutes(2);

    public const int MaxKeyLength = 200;
}
