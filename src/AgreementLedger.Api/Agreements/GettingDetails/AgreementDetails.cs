using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingDetails;

public sealed record DeliverableView(string DeliverableId, string Name, DateOnly? DueBy, DateOnly? DeliveredOn);

public sealed record TargetView(string Milestone, DateOnly TargetDate, bool Met, bool Overdue, DateOnly? ReachedOn, string? Note);

/// <summary>The agreement's current state as API.md "Queries" shows it; also every command's answer.</summary>
public sealed record AgreementDetails(
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
    IReadOnlyList<DeliverableView> Deliverables,
    IReadOnlyList<TargetView> Targets,
    IReadOnlyList<SourceReference> Sources,
    IReadOnlyList<Amendment> Amendments,
    long Version,
    string LastRecordedAt)
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
            [.. lifecycle.Targets.OrderBy(t => Lifecycle.Line.Select(s => s.ToString()).ToList().IndexOf(t.Milestone)).Select(t => Judge(lifecycle, t, referenceDate))],
            lifecycle.Sources,
            lifecycle.Amendments,
            agreement.Version,
            EventEnvelope.FormatInstant(agreement.LastRecordedAt));
    }

    /// <summary>Met when reached on or before the target date; overdue when not met and the date has passed.</summary>
    public static TargetView Judge(LifecycleState lifecycle, Target target, DateOnly referenceDate)
    {
        var reached = Lifecycle.ReachedOn(lifecycle, target.Milestone);
        var met = reached <= target.TargetDate;
        return new TargetView(target.Milestone, target.TargetDate, met, !met && target.TargetDate < referenceDate, reached, target.Note);
    }
}

public static class GetAgreementEndpoint
{
    [WolverineGet("/agreements/{id}", OperationId = "getAgreement")]
    public static async Task<IResult> Get(string id, IQuerySession session, HttpContext http, TimeProvider clock)
    {
        var agreement = await session.LoadAsync<Agreement>(id, http.RequestAborted);
        if (agreement is null)
        {
            return Problems.Result(Problems.AgreementNotFound(id));
        }

        http.Response.Headers.ETag = IfMatch.ETag(agreement.Version);
        return TypedResults.Ok(AgreementDetails.From(agreement, Conventions.Today(clock)));
    }
}
