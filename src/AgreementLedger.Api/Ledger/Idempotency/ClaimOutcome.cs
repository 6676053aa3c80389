namespace AgreementLedger.Ledger.Idempotency;

/// <summary>A stored first answer, replayed for a retry with the same key and body.</summary>
public sealed record StoredAnswer(int Status, string Body, string? ETag, string? Location);

/// <summary>What a claim attempt found.</summary>
public abstract record ClaimOutcome
{
    public sealed record Claimed : ClaimOutcome;

    public sealed record Replay(StoredAnswer Answer) : ClaimOutcome;

    public sealed record InFlight : ClaimOutcome;

    public sealed record OtherBody : ClaimOutcome;
}
