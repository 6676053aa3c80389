namespace AgreementLedger.Client;

// The bodies of the recording commands (docs/api.md, "Commands"). Optional members left null are
// not sent: the service treats an absent member and a null one alike, and its defaults apply
// (an absent occurredOn is today, UTC).

/// <summary>The kinds an agreement may have.</summary>
public static class AgreementKinds
{
    public const string Partnership = "partnership";
    public const string Treaty = "treaty";
    public const string Forum = "forum";
    public const string Programme = "programme";
    public const string Exercise = "exercise";
    public const string Other = "other";
}

/// <summary>A report that records a fact: who published it, where and when.</summary>
public sealed record Source(string Publisher, string? Url = null, DateOnly? PublishedOn = null, string? Note = null);

/// <summary><c>POST /agreements</c>; <see cref="Id"/> null lets the service assign one.</summary>
public sealed record Proposal(
    string Title,
    string Kind,
    IReadOnlyList<string> Parties,
    IReadOnlyList<string> Areas,
    string? Id = null,
    string? Summary = null,
    DateOnly? OccurredOn = null,
    IReadOnlyList<Source>? Sources = null);

/// <summary><c>POST /agreements/{id}/negotiation-rounds</c>.</summary>
public sealed record NegotiationRound(DateOnly? OccurredOn = null, string? Location = null, IReadOnlyList<string>? Participants = null, string? Summary = null);

/// <summary><c>POST /agreements/{id}/terms-agreed</c>.</summary>
public sealed record TermsAgreement(DateOnly? OccurredOn = null, string? Summary = null);

/// <summary><c>POST /agreements/{id}/signatures</c>: one party's signature.</summary>
public sealed record Signature(string Party, DateOnly? OccurredOn = null, string? SignedBy = null, string? Place = null);

/// <summary><c>POST /agreements/{id}/parties</c>: a party joins.</summary>
public sealed record Accession(string Party, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/deliverables</c>.</summary>
public sealed record DeliverablePlan(string DeliverableId, string Name, DateOnly? DueBy = null, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/funding</c>: an amount (up to two decimal places) in an ISO 4217 currency.</summary>
public sealed record FundingCommitment(string Funder, decimal Amount, string Currency, string? Purpose = null, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/deliveries</c>.</summary>
public sealed record Delivery(string DeliverableId, DateOnly? OccurredOn = null, string? Note = null);

/// <summary><c>POST /agreements/{id}/targets</c>: the date by which a stage (milestone) should be reached.</summary>
public sealed record Target(string Milestone, DateOnly TargetDate, string? Note = null, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/sources</c>.</summary>
public sealed record Citation(string Publisher, string? Url = null, DateOnly? PublishedOn = null, string? Note = null, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/amendments</c>.</summary>
public sealed record Amendment(string Summary, DateOnly? OccurredOn = null);

/// <summary>The body of a suspension, resumption, termination or withdrawal.</summary>
public sealed record StandingChange(string Reason, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/retractions</c>: the version retracted and why.</summary>
public sealed record Retraction(long Version, string Reason);

/// <summary>The instruments of consent (<see cref="ConsentToBeBound.Instrument"/>).</summary>
public static class Instruments
{
    public const string Ratification = "ratification";
    public const string Acceptance = "acceptance";
    public const string Approval = "approval";
    public const string Accession = "accession";
    public const string DefinitiveSignature = "definitive-signature";
    public const string Succession = "succession";
}

/// <summary><c>POST /agreements/{id}/consents</c>: a party's instrument of consent (<see cref="Instruments"/>).</summary>
public sealed record ConsentToBeBound(
    string Party, string Instrument, DateOnly? OccurredOn = null, string? Depositary = null, string? SignedBy = null, string? Place = null, string? Note = null);

/// <summary><c>POST /agreements/{id}/entry-into-force</c>; <see cref="Parties"/> null: those that have consented by then and are not in force.</summary>
public sealed record EntryIntoForce(DateOnly? OccurredOn = null, IReadOnlyList<string>? Parties = null, string? Note = null);

/// <summary><c>POST /agreements/{id}/provisional-application</c>.</summary>
public sealed record ProvisionalApplication(string Party, DateOnly? OccurredOn = null, string? Note = null);

/// <summary><c>POST /agreements/{id}/reservations</c>: <see cref="Kind"/> is reservation, declaration, objection or withdrawal (the last two with <see cref="RefersTo"/>).</summary>
public sealed record ReservationStatement(string Party, string Kind, string Text, long? RefersTo = null, DateOnly? OccurredOn = null);

/// <summary><c>POST /agreements/{id}/denunciations</c>: the party withdraws, taking effect on <see cref="EffectiveOn"/> (default: the same day).</summary>
public sealed record Denunciation(string Party, DateOnly? OccurredOn = null, DateOnly? EffectiveOn = null, string? Note = null);

/// <summary>
/// <c>POST /agreements/{id}/corrections</c>: the version replaced, why, and the replacement — the body of the command
/// that records it, with its event type (<see cref="Replacing"/> builds it from one of the bodies above).
/// </summary>
public sealed record Correction(long Version, string Reason, System.Text.Json.Nodes.JsonObject Replacement)
{
    /// <summary>A correction whose replacement is the event <paramref name="type"/> (e.g. <c>party_signed</c>) that <paramref name="body"/> records.</summary>
    public static Correction Replacing(long version, string reason, string type, object body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var replacement = System.Text.Json.JsonSerializer.SerializeToNode(body, body.GetType(), LedgerClient.Json)?.AsObject()
            ?? throw new ArgumentException("The replacement must be a command body (a JSON object).", nameof(body));
        replacement.Insert(0, "type", type);
        return new Correction(version, reason, replacement);
    }
}

/// <summary><c>POST /subscriptions</c>: a webhook (role admin).</summary>
public sealed record WebhookRegistration(string Url, string Secret, IReadOnlyList<string>? Types = null);
