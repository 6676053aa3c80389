namespace AgreementLedger.Subscriptions.Webhooks;

public sealed record WebhookStatus(string? LastSuccessAt, int ConsecutiveFailures, int? LastStatus, string? LastError, string? NextAttemptAt);

/// <summary>
/// A registered webhook as the API shows it (never with its secret); <c>types</c> is always present, <c>[]</c>
/// meaning every event type.
/// </summary>
public sealed record WebhookSubscription(string Id, string Url, IReadOnlyList<string> Types, string CreatedAt, long Position, WebhookStatus Status);
