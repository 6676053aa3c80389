namespace AgreementLedger.Client;

/// <summary>The recording commands (docs/api.md, "Commands").</summary>
public sealed partial class LedgerClient
{
    // Commands (role recorder)

    /// <summary><c>POST /agreements</c> (201): answers the new agreement's state, its <c>Location</c> and version 1.</summary>
    public Task<LedgerResponse<AgreementState>> ProposeAsync(Proposal proposal, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync("agreements", proposal, options, ct);

    /// <summary><c>POST /agreements/{id}/negotiation-rounds</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> HoldNegotiationRoundAsync(string id, NegotiationRound round, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "negotiation-rounds"), round, options, ct);

    /// <summary><c>POST /agreements/{id}/terms-agreed</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> AgreeTermsAsync(string id, TermsAgreement terms, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "terms-agreed"), terms, options, ct);

    /// <summary><c>POST /agreements/{id}/signatures</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SignAsync(string id, Signature signature, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "signatures"), signature, options, ct);

    /// <summary><c>POST /agreements/{id}/parties</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> JoinAsync(string id, Accession accession, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "parties"), accession, options, ct);

    /// <summary><c>POST /agreements/{id}/deliverables</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> PlanDeliverableAsync(string id, DeliverablePlan plan, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "deliverables"), plan, options, ct);

    /// <summary><c>POST /agreements/{id}/funding</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> CommitFundingAsync(string id, FundingCommitment funding, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "funding"), funding, options, ct);

    /// <summary><c>POST /agreements/{id}/deliveries</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> RecordDeliveryAsync(string id, Delivery delivery, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "deliveries"), delivery, options, ct);

    /// <summary><c>POST /agreements/{id}/targets</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SetTargetAsync(string id, Target target, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "targets"), target, options, ct);

    /// <summary><c>POST /agreements/{id}/sources</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> CiteSourceAsync(string id, Citation citation, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "sources"), citation, options, ct);

    /// <summary><c>POST /agreements/{id}/amendments</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> AmendAsync(string id, Amendment amendment, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "amendments"), amendment, options, ct);

    /// <summary><c>POST /agreements/{id}/suspension</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SuspendAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "suspension"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/resumption</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> ResumeAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "resumption"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/termination</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> TerminateAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "termination"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/withdrawal</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> WithdrawAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "withdrawal"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/retractions</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> RetractAsync(string id, Retraction retraction, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "retractions"), retraction, options, ct);

    /// <summary><c>POST /agreements/{id}/consents</c>: answers the agreement's state, with its status table.</summary>
    public Task<LedgerResponse<AgreementState>> ExpressConsentAsync(string id, ConsentToBeBound consent, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "consents"), consent, options, ct);

    /// <summary><c>POST /agreements/{id}/entry-into-force</c>: answers the agreement's state, with its status table.</summary>
    public Task<LedgerResponse<AgreementState>> EnterIntoForceAsync(string id, EntryIntoForce entry, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "entry-into-force"), entry, options, ct);

    /// <summary><c>POST /agreements/{id}/provisional-application</c>: answers the agreement's state, with its status table.</summary>
    public Task<LedgerResponse<AgreementState>> StartProvisionalApplicationAsync(string id, ProvisionalApplication application, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "provisional-application"), application, options, ct);

    /// <summary><c>POST /agreements/{id}/reservations</c>: answers the agreement's state, with its status table.</summary>
    public Task<LedgerResponse<AgreementState>> MakeReservationAsync(string id, ReservationStatement reservation, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "reservations"), reservation, options, ct);

    /// <summary><c>POST /agreements/{id}/denunciations</c>: answers the agreement's state, with its status table.</summary>
    public Task<LedgerResponse<AgreementState>> DenounceAsync(string id, Denunciation denunciation, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "denunciations"), denunciation, options, ct);

    /// <summary>
    /// <c>POST /agreements/{id}/corrections</c>: the retraction and its replacement in one transaction (one
    /// Idempotency-Key, one If-Match); answers the agreement's state and version.
    /// </summary>
    public Task<LedgerResponse<AgreementState>> CorrectAsync(string id, Correction correction, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "corrections"), correction, options, ct);
}
