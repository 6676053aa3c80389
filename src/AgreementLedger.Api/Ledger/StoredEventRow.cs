namespace AgreementLedger.Ledger;

/// <summary>
/// One stored event with its envelope, as <see cref="StoredEventReader"/> reads it: the data as the
/// UTF-8 bytes of the stored jsonb (written through or deserialised without a string), and the
/// occurredOn its hash covers (<see cref="EventEnvelope.OccurredOnOf(string, string?)"/>).
/// Hashes are null when the headers lack them (only ever after tampering). <see cref="LeafIndex"/> is the event's
/// leaf in the ledger's Merkle tree when the query asked for it (<see cref="EventQuery.WithLeafIndex"/>), null while
/// the event is not yet in the tree.
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
    DateOnly? OccurredOn,
    long? LeafIndex = null);
