using AgreementLedger.Agreements.Checkpoints;
using AgreementLedger.Ledger;
using Microsoft.AspNetCore.Mvc;
using AgreementLedger.OpenApi;
using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingDetails;

public sealed record DeliverableView(string DeliverableId, string Name, DateOnly? DueBy, DateOnly? DeliveredOn);

public sealed record TargetView([property: ValuesFrom(typeof(Lifecycle), nameof(Lifecycle.Milestones))] string Milestone, DateOnly TargetDate, bool Met, bool Overdue, DateOnly? ReachedOn, string? Note);

/// <summary>A stage on the line and the day it was first reached (docs/api.md "Targets" defines reached).</summary>
public sealed record StageReached([property: ValuesFrom(typeof(Lifecycle), nameof(Lifecycle.Line))] string Stage, DateOnly ReachedOn);

/// <summary>A party's consent to be bound: the instrument and the day.</summary>
public sealed record ConsentView([property: ValuesFrom(typeof(TreatyLaw.TreatyRules), nameof(TreatyLaw.TreatyRules.Instruments))] string Instrument, DateOnly On);

public sealed record ReservationView(
    long Version, [property: ValuesFrom(typeof(TreatyLaw.TreatyRules), nameof(TreatyLaw.TreatyRules.ReservationKinds))] string Kind, string Text, DateOnly On, long? RefersTo);

/// <summary>One row of the depositary's status table (docs/api.md "Treaty law").</summary>
public sealed record Participation(
    string Party, DateOnly? SignedOn, ConsentView? Consent, DateOnly? ProvisionalFrom, DateOnly? InForceOn,
    IReadOnlyList<ReservationView> Reservations, DateOnly? WithdrawnOn, DateOnly? WithdrawalEffectiveOn)
{
    public static Participation Of(LifecycleState lifecycle, string party)
    {
        var standing = lifecycle.Treaty.Of(party);
        return new Participation(
            party,
            lifecycle.Signatories.FirstOrDefault(s => s.Party == party)?.SignedOn,
            standing is { Instrument: { } instrument, ConsentOn: { } on } ? new ConsentView(instrument, on) : null,
            standing.ProvisionalFrom,
            standing.InForceOn,
            [.. lifecycle.Treaty.Reservations.Where(r => r.Party == party).Select(r => new ReservationView(r.Version, r.Kind, r.Text, r.On, r.RefersTo))],
            standing.WithdrawnOn,
            standing.WithdrawalEffectiveOn);
    }
}

/// <summary>The agreement's current state as docs/api.md "Queries" shows it; also every command's answer.</summary>
public sealed record AgreementDetails(
    string Id,
    string Title,
    [property: ValuesFrom(typeof(Conventions), nameof(Conventions.Kinds))] string Kind,
    [property: ValuesFrom(typeof(AgreementStatus))] string Status,
    IReadOnlyList<string> Parties,
    IReadOnlyList<Signatory> Signatories,
    IReadOnlyList<string> Areas,
    string Summary,
    DateOnly ProposedOn,
    DateOnly? SignedOn,
    IReadOnlyDictionary<string, decimal> Funding,
    IReadOnlyList<DeliverableView> Deliverables,
    IReadOnlyList<TargetView> Targets,
    IReadOnlyList<SourceReference> Sources,
    IReadOnlyList<Amendment> Amendments,
    long Version,
    string LastRecordedAt,
    IReadOnlyList<StageReached> Stages,
    bool InForce,
    DateOnly? InForceOn,
    IReadOnlyList<Participation> Participation)
{
    /// <summary>The view of a folded agreement; <paramref name="referenceDate"/> decides which targets are overdue.</summary>
    public static AgreementDetails From(Agreement agreement, DateOnly referenceDate)
    {
        var lifecycle = agreement.Lifecycle;
        return new AgreementDetails(
            agreement.Id,
            agreement.Title,
            agreement.Kind,
            lifecycle.Status.ToString(),
            lifecycle.Parties,
            lifecycle.Signatories,
            agreement.Areas,
            lifecycle.Summary ?? "",
            agreement.ProposedOn,
            lifecycle.SignedOn,
            lifecycle.Funding,
            [.. lifecycle.Deliverables.Select(d => new DeliverableView(d.DeliverableId, d.Name, d.DueBy, d.DeliveredOn))],
            [.. lifecycle.Targets.OrderBy(t => Enum.Parse<AgreementStatus>(t.Milestone)).Select(t => Judge(lifecycle, t, referenceDate))],
            lifecycle.Sources,
            lifecycle.Amendments,
            agreement.Version,
            EventEnvelope.FormatInstant(agreement.LastRecordedAt),
            StagesOf(agreement),
            TreatyLaw.TreatyRules.InForce(lifecycle, referenceDate),
            lifecycle.Treaty.FirstInForceOn,
            [.. lifecycle.Parties.Select(party => GettingDetails.Participation.Of(lifecycle, party))]);
    }

    /// <summary>The stages on the line the agreement has reached, in order, with the day each was first reached.</summary>
    public static IReadOnlyList<StageReached> StagesOf(Agreement agreement) =>
        [new StageReached(nameof(AgreementStatus.Proposed), agreement.ProposedOn),
            .. agreement.Lifecycle.Reached.OrderBy(r => Enum.Parse<AgreementStatus>(r.Key)).Select(r => new StageReached(r.Key, r.Value))];

    /// <summary>Met when reached on or before the target date; overdue when not met and the date has passed.</summary>
    public static TargetView Judge(LifecycleState lifecycle, Target target, DateOnly referenceDate)
    {
        var reached = Lifecycle.ReachedOn(lifecycle, target.Milestone);
        var met = reached <= target.TargetDate;
        return new TargetView(target.Milestone, target.TargetDate, met, !met && target.TargetDate < referenceDate, reached, target.Note);
    }
}

/// <summary>
/// The agreement now (from its inline snapshot), or at a point in time: as known at <c>asOf</c> or
/// after <c>version</c> (folded on from the nearest checkpoint), and as in effect on <c>effectiveOn</c>
/// (folded from its events); see <see cref="CheckpointedFold"/>.
/// </summary>
public static class GetAgreementEndpoint
{
    [WolverineGet("/agreements/{id}", OperationId = "getAgreement")]
    [EndpointSummary("An agreement as it is, as known at an instant, or as in effect on a date")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string id, string? asOf, string? version, string? effectiveOn, IQuerySession session, CheckpointedFold fold, HttpContext http, TimeProvider clock)
    {
        var checks = new Checks();
        var at = PointInTime.Parse(asOf, version, effectiveOn, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var agreement = at.IsNow
            ? await CurrentAsync(session, fold, id, at, http.RequestAborted)
            : await fold.FoldAsync(id, at, http.RequestAborted);
        if (agreement is null)
        {
            return Problems.Result(at.IsNow
                ? Problems.AgreementNotFound(id)
                : Problems.AgreementNotFoundAt(id));
        }

        http.Response.Headers.ETag = IfMatch.ETag(agreement.Version);
        return TypedResults.Ok(AgreementDetails.From(agreement, at.ReferenceDate(Conventions.Today(clock))));
    }

    /// <summary>
    /// Now is the snapshot, read in one round trip with the stream's version. When the two disagree
    /// (the snapshot is missing, or behind its events: a foreign rebuild, a restore that mixed two
    /// points in time) the events answer, folded as time travel folds them, so a read never shows
    /// less than what has been acknowledged; the next command repairs the snapshot.
    /// </summary>
    private static async Task<Agreement?> CurrentAsync(IQuerySession session, CheckpointedFold fold, string id, PointInTime at, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var snapshot = batch.Load<Agreement>(id);
        var stream = batch.Events.FetchStreamState(id);
        await batch.Execute(ct);
        var (agreement, state) = (await snapshot, await stream);
        return state is not null && agreement?.Version == state.Version
            ? agreement
            : await fold.FoldAsync(id, at, ct);
    }
}
