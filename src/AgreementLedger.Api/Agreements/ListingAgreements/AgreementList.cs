using AgreementLedger.Ledger;
using AgreementLedger.OpenApi;
using System.Buffers.Text;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
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

        var conditions = Conditions(party, status, area, kind);
        List<Agreement> page;
        if (at.AsOf is { } knownAt)
        {
            // Folded from the events, a chunk of agreements at a time, until the page is full.
            var tests = conditions.Select(c => c.Compile()).ToList();
            page = [];
            await foreach (var agreement in PointInTime.PortfolioAsync(events, knownAt, after, http.RequestAborted))
            {
                if (tests.All(test => test(agreement)))
                {
                    page.Add(agreement);
                    if (page.Count > take)
                    {
                        break;
                    }
                }
            }
        }
        else
        {
            IQueryable<Agreement> query = session.Query<Agreement>();
            foreach (var condition in conditions)
            {
                query = query.Where(condition);
            }

            if (after is not null)
            {
                query = query.Where(a => a.Id.CompareTo(after) > 0);
            }

            page = [.. await query.OrderBy(a => a.Id).Take(take + 1).ToListAsync(http.RequestAborted)];
        }

        var items = page.Take(take)
            .Select(a => new AgreementListItem(a.Id, a.Title, a.Kind, a.Lifecycle.Status.ToString(), a.Lifecycle.Parties, a.ProposedOn, a.Version))
            .ToList();
        var next = page.Count > take ? FormatCursor(items[^1].Id) : null;
        return TypedResults.Ok(new AgreementList(items, next));
    }

    /// <summary>The list's filters: translated to SQL over the stored snapshots, compiled for agreements folded in memory.</summary>
    private static List<Expression<Func<Agreement, bool>>> Conditions(string? party, string? status, string? area, string? kind)
    {
        var conditions = new List<Expression<Func<Agreement, bool>>>();
        if (party is not null)
        {
            conditions.Add(a => a.Lifecycle.Parties.Contains(party));
        }

        if (status is not null)
        {
            var wanted = Enum.Parse<AgreementStatus>(status);
            conditions.Add(a => a.Lifecycle.Status == wanted);
        }

        if (area is not null)
        {
            conditions.Add(a => a.Areas.Contains(area));
        }

        if (kind is not null)
        {
            conditions.Add(a => a.Kind == kind);
        }

        return conditions;
    }

    private static string FormatCursor(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("a1|" + lastId));

    private static string? ParseCursor(string text)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            return decoded.StartsWith("a1|", StringComparison.Ordinal) && AgreementIds.Pattern().IsMatch(decoded[3..]) ? decoded[3..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
