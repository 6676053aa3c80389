using AgreementLedger.Agreements.Versions;
using AgreementLedger.OpenApi;
using System.Globalization;
using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.ListingAgreements;

public sealed record AgreementListItem(
    string Id,
    string Title,
    [property: ValuesFrom(typeof(Conventions), nameof(Conventions.Kinds))] string Kind,
    [property: ValuesFrom(typeof(AgreementStatus))] string Status,
    IReadOnlyList<string> Parties, DateOnly ProposedOn, long Version);

public sealed record AgreementList(IReadOnlyList<AgreementListItem> Items, string? Next);

/// <summary>The portfolio, filtered and ordered by id, paged with an opaque keyset cursor.</summary>
public static class ListAgreementsEndpoint
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    [WolverineGet("/agreements", OperationId = "listAgreements")]
    [EndpointSummary("The agreements, filtered, by id, page by page")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<AgreementList>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(
        string? party, string? status, string? area, string? kind, string? asOf, string? limit, string? cursor,
        IQuerySession session, KnownAgreements known, HttpContext http)
    {
        var checks = new Checks()
            .Pattern("party", party, Conventions.Party(), Conventions.PartyRule)
            .Pattern("area", area, Conventions.Area(), Conventions.AreaRule)
            .OneOf("kind", kind, Conventions.Kinds)
            .OneOf("status", status, Enum.GetNames<AgreementStatus>().ToHashSet(StringComparer.Ordinal));
        var take = checks.Limit(limit, DefaultLimit, MaxLimit);

        var after = AgreementCursor.Read(cursor, checks);

        var at = PointInTime.Parse(asOf, null, null, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var filter = new ListFilter(party, status is null ? null : Enum.Parse<AgreementStatus>(status), area, kind);
        IReadOnlyList<Agreement> page;
        if (at.AsOf is { } knownAt)
        {
            page = await known.ReadAsync(knownAt, filter, after, take + 1, http.RequestAborted);
        }
        else
        {
            IQueryable<Agreement> query = session.Query<Agreement>();
            foreach (var condition in filter.Conditions())
            {
                query = query.Where(condition);
            }

            if (after is not null)
            {
                query = query.Where(a => a.Id.CompareTo(after) > 0);
            }

            page = await query.OrderBy(a => a.Id).Take(take + 1).ToListAsync(http.RequestAborted);
        }

        var items = page.Take(take)
            .Select(a => new AgreementListItem(a.Id, a.Title, a.Kind, a.Lifecycle.Status.ToString(), a.Lifecycle.Parties, a.ProposedOn, a.Version))
            .ToList();
        var next = page.Count > take ? AgreementCursor.Format(items[^1].Id) : null;
        return TypedResults.Ok(new AgreementList(items, next));
    }
}
