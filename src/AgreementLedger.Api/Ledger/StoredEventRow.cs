namespace AgreementLedger.Ledger;

/// <summary>
/// One stored event with its envelope, as <see cref="StoredEventReader"/> reads it: the data as the
/// UTF-8 bytes of the stored jsonb (written through or deserialised without a string), and the
/// occurredOn its hash covers (<see cref="EventEnvelope.OccurredOnOf(string, string?)"/>).
/// Hashes are null when the headers lack them (only ever after tampering).
/// </summary>
public sealed record StoredEventRow(
    long Position,
    string AgreementId,
    long Version,
    string Type,
    byte[] Data,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    string? Hash,
    string? PreviousHash,
    DateOnly? OccurredOn);
