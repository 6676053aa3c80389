namespace AgreementLedger.Agreements;

/// <summary>
/// The stable codes of the lifecycle's rules (docs/api.md "Refusals"): the <c>conflict.rule</c> of a 409, which
/// clients branch on instead of parsing sentences.
/// </summary>
public static class RuleCodes
{
    public const string StageNotAllowed = "stage-not-allowed";
    public const string AgreementFinal = "agreement-final";
    public const string AlreadyProposed = "already-proposed";
    public const string NotProposed = "not-proposed";
    public const string PartyNotMember = "party-not-member";
    public const string AlreadyParty = "already-party";
    public const string AlreadySigned = "already-signed";
    public const string DeliverableAlreadyPlanned = "deliverable-already-planned";
    public const string DeliverableNotPlanned = "deliverable-not-planned";
    public const string DeliverableAlreadyDelivered = "deliverable-already-delivered";
    public const string AlreadyConsented = "already-consented";
    public const string SignatoryCannotAccede = "signatory-cannot-accede";
    public const string NotSigned = "not-signed";
    public const string NotConsented = "not-consented";
    public const string NothingToEnterIntoForce = "nothing-to-enter-into-force";
    public const string AlreadyInForce = "already-in-force";
    public const string ReservationNotStanding = "reservation-not-standing";
    public const string AlreadyWithdrawn = "already-withdrawn";
    public const string ProposalNotRetractable = "proposal-not-retractable";
    public const string ProposalNotCorrectable = "proposal-not-correctable";
    public const string RetractionNotRetractable = "retraction-not-retractable";
    public const string AlreadyRetracted = "already-retracted";
}

/// <summary>
/// Why a fact may not follow a state: the rule's code, a plain sentence that names its subject ("JP already signed on
/// 2025-10-02"), the command member it concerns, and the part of the state the rule rests on — the event the refusal
/// conflicts with is the last one that changed that part (<see cref="LifecycleConflict.ConflictsWith"/>).
/// </summary>
public sealed record LifecycleRefusal(string Rule, string Message)
{
    /// <summary>Where the message places the event it conflicts with: <c>{since}</c> (" since DATE (event N)") or <c>{event}</c> (" (event N)").</summary>
    private const string Since = "{since}";
    private const string EventMark = "{event}";

    /// <summary>The command's member the rule is about (<c>party</c>, <c>deliverableId</c>…); null when it is the stage as a whole.</summary>
    public string? Field { get; init; }

    /// <summary>The party code or deliverable id the rule is about.</summary>
    public string? Subject { get; init; }

    /// <summary>For a stage rule: the status the agreement is in, and the ones that would allow the event.</summary>
    public AgreementStatus? Status { get; init; }

    public IReadOnlyList<AgreementStatus>? Allowed { get; init; }

    /// <summary>The part of the state the rule rests on, compared by value; null when the refusal rests on an absence.</summary>
    public Func<LifecycleState, object?>? RestsOn { get; init; }

    /// <summary>
    /// The sentence, with the event it conflicts with named where the rule put it (or nowhere when unknown); an event
    /// after <paramref name="recordedUpTo"/> is the one the request would record.
    /// </summary>
    public string Text(LifecycleFact? cause, long recordedUpTo = long.MaxValue)
    {
        var named = cause is null ? "" : cause.Version <= recordedUpTo ? $"event {cause.Version}" : "the event this would record";
        var since = cause is null ? "" : $" since {cause.OccurredOn:yyyy-MM-dd} ({named})";
        var mark = cause is null ? "" : $" ({named})";
        return Message.Replace(Since, since, StringComparison.Ordinal).Replace(EventMark, mark, StringComparison.Ordinal);
    }

    /// <summary>The event needs another stage: "Funding can be committed only while the agreement is Signed, Funded or Delivered; it has been Proposed since …".</summary>
    public static LifecycleRefusal Stage(IAgreementEvent @event, AgreementStatus status, params AgreementStatus[] allowed) =>
        new(RuleCodes.StageNotAllowed, $"{Action(@event)} only while the agreement is {Or(allowed)}; it has been {status}{Since}")
        {
            Subject = SubjectOf(@event),
            Status = status,
            Allowed = allowed,
            RestsOn = s => s.Status,
        };

    /// <summary>Nothing more may be recorded on an agreement that is Terminated or Withdrawn.</summary>
    public static LifecycleRefusal Final(AgreementStatus status) =>
        new(RuleCodes.AgreementFinal, $"The agreement has been {status}{Since}, which is final: nothing more can be recorded on it")
        {
            Status = status,
            RestsOn = s => s.Status,
        };

    public static string Or(IReadOnlyList<AgreementStatus> allowed) =>
        allowed.Count == 1 ? allowed[0].ToString() : $"{string.Join(", ", allowed.SkipLast(1))} or {allowed[^1]}";

    private static string Action(IAgreementEvent @event) => @event switch
    {
        NegotiationRoundHeld => "A negotiation round can be held",
        TermsAgreed => "Terms can be agreed",
        PartySigned signed => $"{signed.Party} can sign",
        PartyJoined joined => $"{joined.Party} can join",
        FundingCommitted => "Funding can be committed",
        DeliverableDelivered delivered => $"Deliverable '{delivered.DeliverableId}' can be delivered",
        AgreementSuspended => "It can be suspended",
        AgreementResumed => "It can be resumed",
        AgreementTerminated => "It can be terminated",
        AgreementWithdrawn => "It can be withdrawn",
        ConsentExpressed consent => $"{consent.Party}'s {consent.Instrument} can be recorded",
        _ => $"{EventTypeNames.Catalogue.NameOf(@event)} can be recorded",
    };

    private static string? SubjectOf(IAgreementEvent @event) => @event switch
    {
        PartySigned signed => signed.Party,
        PartyJoined joined => joined.Party,
        DeliverableDelivered delivered => delivered.DeliverableId,
        ConsentExpressed consent => consent.Party,
        _ => null,
    };
}
