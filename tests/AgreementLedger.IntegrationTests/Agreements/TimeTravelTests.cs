using System.Globalization;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// Events recorded at known instants (the host's clock is moved between commands), some of them
/// learned late with an earlier occurredOn.
/// </summary>
[Collection(TimeTravelCollection.Name)]
public sealed class TimeTravelTests(ClockedLedgerHost ledger)
{
    private static string Instant(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    /// <summary>
    /// Proposed (occurred 2024-01-10), then a round (occurred 2024-03-01), then JP's signature learned
    /// late (occurred 2024-02-01): each recorded an hour after the previous one. Returns the instants.
    /// </summary>
    private async Task<(string Id, DateTimeOffset Proposed, DateTimeOffset Round, DateTimeOffset Signed)> HistoryAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var proposed = ledger.Clock.GetUtcNow();
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var round = ledger.Clock.GetUtcNow();
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-01" }, 200);
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var signed = ledger.Clock.GetUtcNow();
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        return (id, proposed, round, signed);
    }

    [Fact]
    public async Task as_of_shows_what_was_known_at_an_instant()
    {
        var (id, proposed, round, signed) = await HistoryAsync("asof");

        var atProposal = await ledger.Host.GetAsync($"/agreements/{id}?asOf={Instant(proposed)}");
        var betweenRoundAndSignature = await ledger.Host.GetAsync($"/agreements/{id}?asOf={Instant(round.AddMinutes(30))}");
        var withOffset = await ledger.Host.GetAsync($"/agreements/{id}?asOf={Uri.EscapeDataString(round.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))}");
        var wholeDay = await ledger.Host.GetAsync($"/agreements/{id}?asOf={signed:yyyy-MM-dd}");
        var future = await ledger.Host.GetAsync($"/agreements/{id}?asOf=2999-01-01T00:00:00Z");
        await ledger.Host.GetAsync($"/agreements/{id}?asOf={Instant(proposed.AddTicks(-10))}", 404);

        Assert.Equal((1, "Proposed"), (atProposal["version"].GetInt64(), atProposal["status"].GetString()));
        Assert.Equal("\"1\"", atProposal.ETag);
        Assert.Equal((2, "Negotiating"), (betweenRoundAndSignature["version"].GetInt64(), betweenRoundAndSignature["status"].GetString()));
        Assert.Empty(betweenRoundAndSignature["signatories"].EnumerateArray());
        Assert.Equal(2, withOffset["version"].GetInt64());
        Assert.Equal(3, wholeDay["version"].GetInt64());
        Assert.Equal(3, future["version"].GetInt64());
        Assert.Equal(EventTime(proposed), atProposal["lastRecordedAt"].GetString());
    }

    [Fact]
    public async Task version_shows_what_was_known_after_that_many_events()
    {
        var (id, _, _, _) = await HistoryAsync("version");

        var two = await ledger.Host.GetAsync($"/agreements/{id}?version=2");
        await ledger.Host.GetAsync($"/agreements/{id}?version=4", 404);
        await ledger.Host.GetAsync($"/agreements/{id}?version=0", 404);

        Assert.Equal("Negotiating", two["status"].GetString());
        Assert.Equal("\"2\"", two.ETag);
    }

    [Theory]
    [InlineData("asOf=2024-07-01T10:00:00", "asOf")]
    [InlineData("asOf=yesterday", "asOf")]
    [InlineData("asOf=2024-07-01T10:00:00Z&version=2", "version")]
    [InlineData("version=two", "version")]
    [InlineData("version=-1", "version")]
    [InlineData("effectiveOn=2024-02-30", "effectiveOn")]
    [InlineData("effectiveOn=2024-02-01T00:00:00Z", "effectiveOn")]
    public async Task malformed_time_travel_parameters_are_400(string query, string field)
    {
        var (id, _, _, _) = await HistoryAsync("badtime");

        var details = await ledger.Host.GetAsync($"/agreements/{id}?{query}", 400);
        var timeline = await ledger.Host.GetAsync($"/agreements/{id}/timeline?{query}", 400);

        Assert.True(details["errors"].TryGetProperty(field, out _), details.Text);
        Assert.True(timeline["errors"].TryGetProperty(field, out _), timeline.Text);
    }

    [Fact]
    public async Task effective_on_shows_what_was_in_effect_on_a_date_as_known_now_or_then()
    {
        var (id, _, round, _) = await HistoryAsync("effective");

        var february = await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-02-15");
        var march = await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-03-05");
        var februaryAsKnownBefore = await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-02-15&asOf={Instant(round)}");
        await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-01-09", 404);

        Assert.Equal("Proposed", february["status"].GetString());
        Assert.Equal("JP", february["signatories"][0].GetProperty("party").GetString());
        Assert.Equal("Negotiating", march["status"].GetString());
        Assert.Empty(februaryAsKnownBefore["signatories"].EnumerateArray());
        Assert.Equal(2, februaryAsKnownBefore["version"].GetInt64());
    }

    [Fact]
    public async Task targets_are_judged_on_the_effective_date_else_the_as_of_date_else_today()
    {
        var id = Given.NewId("targetdate");
        await ledger.Host.ProposedAsync(id, "EU", "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = "2024-05-31", occurredOn = "2024-01-10" }, 200);

        static bool Overdue(Answer a) => a["targets"][0].GetProperty("overdue").GetBoolean();
        Assert.False(Overdue(await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-05-01")));
        Assert.True(Overdue(await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-06-01")));
        Assert.False(Overdue(await ledger.Host.GetAsync($"/agreements/{id}?asOf=2999-01-01T00:00:00Z&effectiveOn=2024-05-30")));
        Assert.True(Overdue(await ledger.Host.GetAsync($"/agreements/{id}")));
    }

    [Fact]
    public async Task the_timeline_travels_in_time_too()
    {
        var (id, _, round, _) = await HistoryAsync("timelinetravel");

        static long[] Versions(Answer a) => [.. a["entries"].EnumerateArray().Select(e => e.GetProperty("version").GetInt64())];
        var now = Versions(await ledger.Host.GetAsync($"/agreements/{id}/timeline"));
        var then = Versions(await ledger.Host.GetAsync($"/agreements/{id}/timeline?asOf={Instant(round)}"));
        var inEffect = Versions(await ledger.Host.GetAsync($"/agreements/{id}/timeline?effectiveOn=2024-02-15"));
        var first = Versions(await ledger.Host.GetAsync($"/agreements/{id}/timeline?version=1"));

        Assert.Equal(new long[] { 1, 3, 2 }, now);
        Assert.Equal(new long[] { 1, 2 }, then);
        Assert.Equal(new long[] { 1, 3 }, inEffect);
        Assert.Equal(new long[] { 1 }, first);
        await ledger.Host.GetAsync($"/agreements/{id}/timeline?version=9", 404);
        await ledger.Host.GetAsync($"/agreements/{id}/timeline?effectiveOn=2023-12-31", 404);
    }

    [Fact]
    public async Task the_list_and_the_party_portfolio_travel_in_time()
    {
        var party = Given.NewParty();
        var id = Given.NewId("portfoliotime");
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var before = ledger.Clock.GetUtcNow();
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        await ledger.Host.ProposedAsync(id, party);
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var proposed = ledger.Clock.GetUtcNow();
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-02-01" }, 200);

        Assert.Empty((await ledger.Host.GetAsync($"/agreements?party={party}&asOf={Instant(before)}"))["items"].EnumerateArray());
        var then = (await ledger.Host.GetAsync($"/agreements?party={party}&asOf={Instant(proposed)}"))["items"][0];
        Assert.Equal(("Proposed", 1L), (then.GetProperty("status").GetString(), then.GetProperty("version").GetInt64()));
        Assert.Equal("Signed", (await ledger.Host.GetAsync($"/agreements?party={party}"))["items"][0].GetProperty("status").GetString());

        var portfolioThen = await ledger.Host.GetAsync($"/parties/{party}/agreements?asOf={Instant(proposed)}");
        Assert.False(portfolioThen["agreements"][0].GetProperty("signed").GetBoolean());
        Assert.Empty((await ledger.Host.GetAsync($"/parties/{party}/agreements?asOf={Instant(before)}"))["agreements"].EnumerateArray());
        await ledger.Host.GetAsync($"/parties/{party}/agreements?asOf=soon", 400);
    }

    private static string EventTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
