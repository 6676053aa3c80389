using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingDetails;

public sealed record DeliverableView(string DeliverableId, string Name, DateOnly? DueBy, DateOnly? DeliveredOn);

public sealed record TargetView(string Milestone, DateOnly TargetDate, bool Met, bool Overdue);

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
    long Version,
    string LastRecordedAt)
{
    /// <summary>The view of a folded agreement; <paramref name="today"/> is the reference date for targets.</summary>
    public static AgreementDetails From(Agreement agreement, DateOnly today)
    {
        _ = today;
        var lifecycle = agreement.Lifecycle;
        return new AgreementDetails(
            agreement.Id,
            agreement.Title,
            agreement.Kind,
            lifecycle.Status.ToString(),
            lifecycle.Parties,
            lifecycle.Signatories,
            agreement.Areas,
            agreement.Summary ?? "",
            agreement.ProposedOn,
            lifecycle.SignedOn,
            new Dictionary<string, decimal>(),
            [],
            [],
            agreement.Sources,
            agreement.Version,
            EventEnvelope.FormatInstant(agreement.LastRecordedAt));
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
