using System.Buffers.Text;
using System.Globalization;
using System.Text;
using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.ListingAgreements;

public sealed record AgreementListItem(string Id, string Title, string Kind, string Status, IReadOnlyList<string> Parties, DateOnly ProposedOn, long Version);

public sealed record AgreementList(IReadOnlyList<AgreementListItem> Items, string? Next);

/// <summary>The portfolio, filtered and ordered by id, paged with an opaque keyset cursor.</summary>
public static class ListAgreementsEndpoint
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    [WolverineGet("/agreements", OperationId = "listAgreements")]
    public static async Task<IResult> Get(
        string? party, string? status, string? area, string? kind, string? asOf, string? limit, string? cursor,
        IQuerySession session, StoredEvents events, HttpContext http)
    {
        var checks = new Checks()
            .Pattern("party", party, Conventions.Party(), Conventions.PartyRule)
            .Pattern("area", area, Conventions.Area(), Conventions.AreaRule)
            .OneOf("kind", kind, Conventions.Kinds)
            .OneOf("status", status, Enum.GetNames<AgreementStatus>().ToHashSet(StringComparer.Ordinal));
        var take = checks.Limit(limit, DefaultLimit, MaxLimit);

        var after = cursor is null ? null : ParseCursor(cursor);
        if (cursor is not null && after is null)
        {
            checks.Add("cursor", "is not a cursor this service issued");
        }

        var at = PointInTime.Parse(asOf, null, null, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        IQueryable<Agreement> query = at.AsOf is { } knownAt
            ? (await PointInTime.PortfolioAsync(events, knownAt, http.RequestAborted)).AsQueryable()
            : session.Query<Agreement>();
        if (party is not null)
        {
            query = query.Where(a => a.Lifecycle.Parties.Contains(party));
        }

        if (status is not null)
        {
            var wanted = Enum.Parse<AgreementStatus>(status);
            query = query.Where(a => a.Lifecycle.Status == wanted);
        }

        if (area is not null)
        {
            query = query.Where(a => a.Areas.Contains(area));
        }

        if (kind is not null)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (after is not null)
        {
            query = query.Where(a => a.Id.CompareTo(after) > 0);
        }

        query = query.OrderBy(a => a.Id).Take(take + 1);
        var page = at.AsOf is null ? await query.ToListAsync(http.RequestAborted) : [.. query];
        var items = page.Take(take)
            .Select(a => new AgreementListItem(a.Id, a.Title, a.Kind, a.Lifecycle.Status.ToString(), a.Lifecycle.Parties, a.ProposedOn, a.Version))
            .ToList();
        var next = page.Count > take ? FormatCursor(items[^1].Id) : null;
        return TypedResults.Ok(new AgreementList(items, next));
    }

    private static string FormatCursor(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("a1|" + lastId));

    private static string? ParseCursor(string text)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            return decoded.StartsWith("a1|", StringComparison.Ordinal) && Conventions.AgreementId().IsMatch(decoded[3..]) ? decoded[3..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
