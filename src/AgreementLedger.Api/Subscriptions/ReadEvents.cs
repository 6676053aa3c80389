using System.Globalization;
using AgreementLedger.Infrastructure;
using Wolverine.Http;

namespace AgreementLedger.Subscriptions;

/// <summary><c>GET /events?after=&amp;limit=&amp;types=</c>: the gap-safe feed, page by page.</summary>
public static class ReadEventsEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [WolverineGet("/events", OperationId = "readEvents")]
    [EndpointSummary("The gap-safe feed: events after a position")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<FeedPage>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(string? after, string? limit, string? types, EventFeed feed, HttpContext http)
    {
        var checks = new Checks();
        long from = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            checks.Add("after", "must be a position: a whole number from 0");
        }

        var take = checks.Limit(limit, DefaultLimit, MaxLimit);

        var wanted = feed.ParseTypes(types, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        return FeedJson.Ok(await feed.ReadAsync(from, take, wanted, http.RequestAborted));
    }
}
