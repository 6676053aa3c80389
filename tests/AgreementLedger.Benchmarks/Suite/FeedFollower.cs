using System.Text.Json;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// A consumer at the feed's head, as W1's watched run and T3 have it: from the newest position on, <c>GET
/// /events?after=&amp;limit=1000</c> again as soon as each page answers (a tight poll loop, no wait on an empty page).
/// </summary>
public static class FeedFollower
{
    /// <summary>Follows until <paramref name="stop"/>; each item served goes to <paramref name="served"/>. Returns how many were served.</summary>
    public static async Task<long> FollowAsync(HttpClient client, CancellationToken stop, Action<JsonElement>? served = null)
    {
        var next = await HeadAsync(client);
        long count = 0;
        while (!stop.IsCancellationRequested)
        {
            using var page = JsonDocument.Parse(await client.GetStringAsync($"/events?after={next}&limit=1000", CancellationToken.None));
            foreach (var e in page.RootElement.GetProperty("events").EnumerateArray())
            {
                served?.Invoke(e);
                count++;
            }

            next = page.RootElement.GetProperty("next").GetInt64();
        }

        return count;
    }

    /// <summary>
    /// Where a consumer at the head starts: the newest stored position (not the safe position readiness reports, which
    /// is the last one found, possibly 0, when its writers take longer than readiness waits on a loaded machine).
    /// </summary>
    private static async Task<long> HeadAsync(HttpClient client)
    {
        using var ready = JsonDocument.Parse(await client.GetStringAsync("/health/details"));
        return ready.RootElement.GetProperty("checks").GetProperty("event-feed").GetProperty("data").GetProperty("newestPosition").GetInt64();
    }
}
