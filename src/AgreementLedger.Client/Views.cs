using System.Text.Json;

namespace AgreementLedger.Client;

// What the service answers (docs/api.md, "Queries", "Audit", "Subscriptions"). Members the
// service adds in later versions are ignored; members it omits are null.

/// <summary>The status values of an agreement: the stages on the line and the three off it.</summary>
public static class AgreementStatuses
{
    public const string Proposed = "Proposed";
    public const string Negotiating = "Negotiating";
    public const string Negotiated = "Negotiated";
    public const string Signed = "Signed";
    public const string Funded = "Funded";
    public const string Delivered = "Delivered";
    public const string Suspended = "Suspended";
    public const string Terminated = "Terminated";
    public const string Withdrawn = "Withdrawn";
}

/// <summary>An agreement's state: the answer of <c>GET /agreements/{id}</c> and of every command.</summary>
public sealed record AgreementState(
    string Id,
    string Title,
    string Kind,
    string Status,
    IReadOnlyList<string> Parties,
    IReadOnlyList<Signatory> Signatories,
    IReadOnlyList<string> Areas,
    string Summary,
    DateOnly ProposedOn,
    DateOnly? SignedOn,
    IReadOnlyDictionary<string, decimal> Funding,
    IReadOnlyList<DeliverableState> Deliverables,
    IReadOnlyList<TargetState> Targets,
    IReadOnlyList<Source> Sources,
    IReadOnlyList<AmendmentState>? Amendments,
    IReadOnlyList<StageReached>? Stages,
    long Version,
    DateTimeOffset LastRecordedAt)
{
    /// <summary>On the reference date some party is in force (from its entry into force until its withdrawal takes effect).</summary>
    public bool InForce { get; init; }

    /// <summary>The first date any party was in force.</summary>
    public DateOnly? InForceOn { get; init; }

    /// <summary>The depositary's status table: one row per party, in <see cref="Parties"/> order.</summary>
    public IReadOnlyList<Participation>? Participation { get; init; }
}

/// <summary>A party's consent to be bound: <see cref="Instruments"/>, and the day.</summary>
public sealed record Consent(string Instrument, DateOnly On);

public sealed record ReservationState(long Version, string Kind, string Text, DateOnly On, long? RefersTo);

/// <summary>One party's row of the status table.</summary>
public sealed record Participation(
    string Party, DateOnly? SignedOn, Consent? Consent, DateOnly? ProvisionalFrom, DateOnly? InForceOn,
    IReadOnlyList<ReservationState> Reservations, DateOnly? WithdrawnOn, DateOnly? WithdrawalEffectiveOn);

public sealed record Signatory(string Party, DateOnly SignedOn, string? SignedBy, string? Place);

public sealed record DeliverableState(string DeliverableId, string Name, DateOnly? DueBy, DateOnly? DeliveredOn);

public sealed record TargetState(string Milestone, DateOnly TargetDate, bool Met, bool Overdue, DateOnly? ReachedOn, string? Note);

public sealed record AmendmentState(DateOnly OccurredOn, string Summary);

public sealed record StageReached(string Stage, DateOnly ReachedOn);

/// <summary>One page of <c>GET /agreements/{id}/timeline</c>; <see cref="Next"/> is null on the last.</summary>
public sealed record TimelinePage(string Id, IReadOnlyList<TimelineEntry> Entries, string? Next);

/// <summary>
/// An event as the timeline shows it, with a sentence a person reads and its hashes; <see cref="LeafIndex"/> is its leaf
/// in the transparency log, null while the tree has not yet taken it.
/// </summary>
public sealed record TimelineEntry(
    long Version,
    long Position,
    long? LeafIndex,
    string Type,
    DateOnly? OccurredOn,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    string Summary,
    bool Retracted,
    string? RetractedBy,
    string? RetractionReason,
    string Hash,
    string PreviousHash,
    JsonElement Data)
{
    /// <summary>The version of the replacement a correction recorded for this event, when one did.</summary>
    public long? CorrectedBy { get; init; }
}

/// <summary>One page of <c>GET /agreements</c>.</summary>
public sealed record AgreementPage(IReadOnlyList<AgreementSummary> Items, string? Next);

public sealed record AgreementSummary(string Id, string Title, string Kind, string Status, IReadOnlyList<string> Parties, DateOnly ProposedOn, long Version)
{
    /// <summary>The stages reached, in order, with the day each was first reached (as on the details).</summary>
    public IReadOnlyList<StageReached>? Stages { get; init; }

    /// <summary>The earliest target not met; null when there is none.</summary>
    public NextTarget? NextTarget { get; init; }

    public DateTimeOffset? LastRecordedAt { get; init; }
}

/// <summary>An agreement's earliest unmet target, and whether it is overdue on the list's reference date.</summary>
public sealed record NextTarget(string Milestone, DateOnly TargetDate, bool Overdue);

/// <summary>The orders of <c>GET /agreements</c> (<see cref="AgreementFilter.Sort"/>); prefix one with '-' for descending.</summary>
public static class AgreementSorts
{
    public const string Id = "id";
    public const string SignedOn = "signedOn";
    public const string NextTarget = "nextTarget";
    public const string LastChange = "lastChange";
}

/// <summary>The filters of <c>GET /agreements</c>; each one set must hold.</summary>
public sealed record AgreementFilter(string? Party = null, string? Status = null, string? Area = null, string? Kind = null, DateTimeOffset? AsOf = null)
{
    /// <summary>As in effect in the world on this date (with <see cref="AsOf"/>, as known then).</summary>
    public DateOnly? EffectiveOn { get; init; }

    /// <summary>Only agreements in force (true) or not (false) on the reference date.</summary>
    public bool? InForce { get; init; }

    /// <summary>The order (<see cref="AgreementSorts"/>, '-' first for descending); by id when null. Follow a cursor with the same.</summary>
    public string? Sort { get; init; }
}

/// <summary><c>GET /parties/{party}/agreements</c>: every agreement, or one page of them (<see cref="Next"/> absent on the last).</summary>
public sealed record PartyPortfolio(string Party, IReadOnlyList<PartyAgreement> Agreements, string? Next = null);

public sealed record PartyAgreement(string Id, string Title, string Kind, string Status, bool Signed, DateOnly? SignedOn)
{
    /// <summary>The party's consent to be bound, when it has given one.</summary>
    public Consent? Consent { get; init; }

    /// <summary>Whether the agreement is in force for the party on the reference date.</summary>
    public bool InForce { get; init; }
}

/// <summary>
/// Which point in time a query answers for: as known at an instant (<see cref="AsOf"/>) or after a
/// version, and as in effect on a date (<see cref="EffectiveOn"/>). Null members mean now.
/// </summary>
public sealed record PointInTime(DateTimeOffset? AsOf = null, long? Version = null, DateOnly? EffectiveOn = null)
{
    public static readonly PointInTime Now = new();
}

/// <summary>An event of the ledger-wide feed (<c>GET /events</c>, <c>/events/stream</c>), with its leaf in the transparency log.</summary>
public sealed record LedgerEvent(
    long Position,
    long LeafIndex,
    string AgreementId,
    long Version,
    string Type,
    DateOnly? OccurredOn,
    DateTimeOffset RecordedAt,
    string RecordedBy,
    JsonElement Data,
    string Hash);

/// <summary>
/// One page of the feed. <see cref="Next"/> is where the next page starts: store it once the
/// events are processed (it advances past events a type filter left out).
/// </summary>
public sealed record FeedPage(IReadOnlyList<LedgerEvent> Events, long Next);

/// <summary><c>GET /audit/verify</c>.</summary>
public sealed record VerificationReport(bool Verified, long StreamsChecked, long EventsChecked, IReadOnlyList<VerificationFailure> Failures);

public sealed record VerificationFailure(string AgreementId, long Version, string Reason);

/// <summary><c>GET /audit/digest</c>: the ledger's digest at a position, signed (docs/audit.md says how to check it).</summary>
public sealed record SignedDigest(long Position, string Digest, string Signature, string KeyId);

/// <summary><c>GET /audit/public-key</c>.</summary>
public sealed record PublicKeys(IReadOnlyList<VerificationKey> Keys)
{
    /// <summary>The keys of the witnesses the service submits its checkpoints to: each verifies the cosignatures with its <c>keyId</c>.</summary>
    public IReadOnlyList<VerificationKey> Witnesses { get; init; } = [];
}

/// <summary>A digest, checkpoint or witness verification key; <see cref="SubjectPublicKeyInfo"/> is base64 DER (the member <c>publicKey</c>).</summary>
public sealed record VerificationKey(
    string KeyId,
    string Algorithm,
    [property: System.Text.Json.Serialization.JsonPropertyName("publicKey")] string SubjectPublicKeyInfo,
    string Pem);

/// <summary>
/// <c>GET /audit/checkpoint</c>: a signed checkpoint of the ledger's Merkle tree (docs/audit.md gives the signed body:
/// <see cref="Origin"/>, <see cref="TreeSize"/>, <see cref="RootHash"/>), with the witnesses' cosignatures.
/// </summary>
public sealed record Checkpoint(
    string Origin,
    long TreeSize,
    string RootHash,
    long Position,
    string Timestamp,
    string KeyId,
    string Signature,
    IReadOnlyList<Cosignature> Cosignatures);

/// <summary>A witness's cosignature of a checkpoint; <see cref="Timestamp"/> is the time in the cosigned message.</summary>
public sealed record Cosignature(string Witness, string KeyId, string Timestamp, string Signature);

/// <summary><c>GET /audit/proofs/inclusion</c>: RFC 9162 §2.1.3.1, hashes in lowercase hex.</summary>
public sealed record InclusionProof(long Position, long LeafIndex, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> AuditPath);

/// <summary><c>GET /audit/proofs/consistency</c>: RFC 9162 §2.1.4.1, hashes in lowercase hex.</summary>
public sealed record ConsistencyProof(long From, long To, string FromRootHash, string ToRootHash, IReadOnlyList<string> Proof);

/// <summary>A witness's <c>GET /witness/public-key</c>; <see cref="SubjectPublicKeyInfo"/> is base64 DER (the member <c>publicKey</c>).</summary>
public sealed record WitnessPublicKey(
    string KeyId,
    [property: System.Text.Json.Serialization.JsonPropertyName("publicKey")] string SubjectPublicKeyInfo,
    string Pem);

/// <summary>
/// The body of a witness's <c>POST /witness/checkpoints</c>: the new checkpoint, the size of the tree the witness
/// holds, the consistency proof from it (hex), and — for a witness's trust on first use — the log's public key (base64 DER).
/// </summary>
public sealed record WitnessSubmission(Checkpoint Checkpoint, long OldSize, IReadOnlyList<string> Proof, string? PublicKey = null);

/// <summary>A registered webhook (<c>/subscriptions</c>); the secret is never returned.</summary>
public sealed record Webhook(string Id, string Url, IReadOnlyList<string> Types, DateTimeOffset CreatedAt, long Position, WebhookDeliveryStatus Status);

public sealed record WebhookDeliveryStatus(DateTimeOffset? LastSuccessAt, int ConsecutiveFailures, int? LastStatus, string? LastError, DateTimeOffset? NextAttemptAt);

public sealed record WebhookList(IReadOnlyList<Webhook> Items);
