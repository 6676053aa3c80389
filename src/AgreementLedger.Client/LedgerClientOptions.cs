namespace AgreementLedger.Client;

/// <summary>How a <see cref="LedgerClient"/> authenticates and retries.</summary>
public sealed class LedgerClientOptions
{
    /// <summary>
    /// Gives the bearer token for each request (called per request, so a refreshed token is used
    /// at once). Null sends none: set the <c>HttpClient</c>'s default header yourself, or rely on the
    /// service's local open mode.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? AccessToken { get; init; }

    /// <summary>
    /// How many times a request is sent again after a 503 (always with <c>Retry-After</c>), a 409
    /// <c>idempotency-key-in-flight</c>, a 429 or a failed connection. A command is retried only with
    /// an <c>Idempotency-Key</c>, so that a retry can never record twice. Default 4.
    /// </summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The longest wait between two attempts, whatever <c>Retry-After</c> says. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gives each command that has no <see cref="CommandOptions.IdempotencyKey"/> a new random key,
    /// so that it can be retried safely. Default true.
    /// </summary>
    public bool GenerateIdempotencyKeys { get; init; } = true;

    /// <summary>Called before each retry with the attempt number (1 for the first retry), the wait and why.</summary>
    public Action<int, TimeSpan, string>? OnRetry { get; init; }
}

/// <summary>
/// Preconditions and identity of one command. <see cref="ExpectedVersion"/> sends
/// <c>If-Match: "N"</c> (0 on a proposal means "only if the id is free"); <see cref="MustExist"/>
/// sends <c>If-Match: *</c>. <see cref="IdempotencyKey"/> makes a retry answer the first
/// answer instead of recording again: keep it with the request you might resend.
/// </summary>
public sealed record CommandOptions(long? ExpectedVersion = null, string? IdempotencyKey = null, bool MustExist = false);

/// <summary>
/// A 2xx answer: its body, the agreement version its <c>ETag</c> names, its <c>Location</c>, and
/// whether it was the stored answer of an earlier request with the same <c>Idempotency-Key</c>.
/// </summary>
public sealed record LedgerResponse<T>(T Value, long? Version, string? Location, bool Replayed, string? IdempotencyKey);
