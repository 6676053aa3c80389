using Alba;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Conventions;

[Collection(ConventionsCollection.Name)]
public sealed class ConventionsTests(LedgerHost ledger)
{
    [Theory]
    [InlineData("{\"party\": \"JP\"", "$")]
    [InlineData("[\"JP\"]", "$")]
    [InlineData("null", "$")]
    [InlineData("{\"party\": \"JP\", \"occuredOn\": \"2024-02-01\"}", "occuredOn")]
    [InlineData("{\"party\": 42}", "party")]
    [InlineData("{\"party\": \"JP\", \"occurredOn\": \"01/02/2024\"}", "occurredOn")]
    [InlineData("{\"party\": \"JP\", \"occurredOn\": \"2024-02-30\"}", "occurredOn")]
    [InlineData("{\"party\": \"JP\", \"party\": \"GB\"}", "party")]
    [InlineData("{\"party\": \"J\\u0000P\"}", "party")]
    public async Task rejects_bad_json_with_400_naming_the_field_and_appends_nothing(string body, string field)
    {
        var id = Given.NewId("badjson");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/signatures", body, 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.True(answer["errors"].TryGetProperty(field, out _), answer.Text);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task rejects_an_empty_body_with_400()
    {
        var id = Given.NewId("empty");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/negotiation-rounds", "", 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task rejects_a_body_over_one_mebibyte_with_413()
    {
        var before = await ledger.TotalEventsAsync();
        var huge = "{\"title\": \"" + new string('x', 1024 * 1024) + "\"}";

        var answer = await ledger.Host.PostRawAsync("/agreements", huge, 413);

        Assert.Equal("/problems/payload-too-large", answer.ProblemType);
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Fact]
    public async Task a_body_longer_than_a_chunk_and_under_the_cap_is_read_whole_and_judged()
    {
        // 100 KB: read in chunks as it arrives, not into an array of its declared length.
        var id = Given.NewId("long");
        var title = new string('x', 100 * 1024);
        var body = Given.Body(new
        {
            id, title, kind = "partnership", parties = new[] { "JP", "GB" }, areas = new[] { "defence-industry" }, occurredOn = "2024-01-10",
        });

        var answer = await ledger.Host.PostRawAsync("/agreements", body, 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.Contains("title", answer.Text);
        Assert.Equal(0, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_body_of_no_declared_length_is_read_up_to_the_cap_and_one_over_it_gets_413_and_appends_nothing()
    {
        var before = await ledger.TotalEventsAsync();
        var huge = System.Text.Encoding.UTF8.GetBytes("{\"title\": \"" + new string('x', 1024 * 1024) + "\"}");

        var answer = await ledger.Host.PostRawAsync("/agreements", "", 413, s => s.ConfigureHttpContext(c =>
        {
            c.Request.Body = new MemoryStream(huge);
            c.Request.ContentLength = null;
        }));

        Assert.Equal("/problems/payload-too-large", answer.ProblemType);
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Fact]
    public async Task a_body_of_no_declared_length_under_the_cap_is_recorded_as_one_of_declared_length_is()
    {
        var id = Given.NewId("chunked");
        var body = System.Text.Encoding.UTF8.GetBytes(Given.Body(new
        {
            id, title = "Test agreement " + id, kind = "partnership", parties = new[] { "JP", "GB" },
            areas = new[] { "defence-industry" }, occurredOn = "2024-01-10",
        }));

        var answer = await ledger.Host.PostRawAsync("/agreements", "", 201, s => s.ConfigureHttpContext(c =>
        {
            c.Request.Body = new MemoryStream(body);
            c.Request.ContentLength = null;
        }));

        Assert.Equal(id, answer.Body.GetProperty("id").GetString());
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task answers_unknown_agreements_with_404_not_found()
    {
        var id = Given.NewId("missing");

        var command = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 404);
        var details = await ledger.Host.GetAsync($"/agreements/{id}", 404);
        var timeline = await ledger.Host.GetAsync($"/agreements/{id}/timeline", 404);

        Assert.All([command, details, timeline], a => Assert.Equal("/problems/not-found", a.ProblemType));
        Assert.Equal(0, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_matching_if_match_is_accepted_and_the_etag_moves_on()
    {
        var id = Given.NewId("ifmatch");
        await ledger.Host.ProposedAsync(id, "JP", "GB");

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 200, s => s.WithRequestHeader("If-Match", "\"1\""));
        var star = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB" }, 200, s => s.WithRequestHeader("If-Match", "*"));

        Assert.Equal("\"2\"", answer.ETag);
        Assert.Equal("\"3\"", star.ETag);
    }

    [Fact]
    public async Task a_stale_if_match_is_412_with_the_current_etag_and_appends_nothing()
    {
        var id = Given.NewId("stale");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 200);

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB" }, 412, s => s.WithRequestHeader("If-Match", "\"1\""));

        Assert.Equal("/problems/version-mismatch", answer.ProblemType);
        Assert.Equal("\"2\"", answer.ETag);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_malformed_if_match_is_400()
    {
        var id = Given.NewId("badifmatch");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 400, s => s.WithRequestHeader("If-Match", "W/\"1\""));

        Assert.True(answer["errors"].TryGetProperty("If-Match", out _));
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task proposing_with_if_match_on_an_existing_id_is_412_and_on_a_new_id_star_is_412()
    {
        var id = Given.NewId("proposeifmatch");
        await ledger.Host.ProposedAsync(id, "JP");
        var body = new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() };

        var stale = await ledger.Host.PostAsync("/agreements", body, 412, s => s.WithRequestHeader("If-Match", "\"7\""));
        var freshId = Given.NewId("fresh");
        var fresh = await ledger.Host.PostAsync("/agreements", body with { id = freshId }, 412, s => s.WithRequestHeader("If-Match", "*"));

        Assert.Equal("\"1\"", stale.ETag);
        Assert.Equal("/problems/version-mismatch", fresh.ProblemType);
        Assert.Equal(1, await ledger.EventCountAsync(id));
        Assert.Equal(0, await ledger.EventCountAsync(freshId));
    }

    [Fact]
    public async Task checks_run_in_the_contract_order()
    {
        var missing = Given.NewId("order");
        // 400 (input) before 404.
        await ledger.Host.PostAsync($"/agreements/{missing}/signatures", new { party = "nope" }, 400);
        // 404 before 412.
        await ledger.Host.PostAsync($"/agreements/{missing}/signatures", new { party = "JP" }, 404, s => s.WithRequestHeader("If-Match", "\"5\""));

        var id = Given.NewId("order");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        // 412 before 409: JP has already signed, but the version is stale.
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 412, s => s.WithRequestHeader("If-Match", "\"1\""));
        // 400 (input) before 412.
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-01-01" }, 400, s => s.WithRequestHeader("If-Match", "\"1\""));
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task recorded_at_is_microsecond_utc_and_never_goes_backwards()
    {
        var id = Given.NewId("recorded");
        await ledger.Host.ProposedAsync(id, "JP", "KR");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "KR" }, 200);

        var recorded = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray()
            .OrderBy(e => e.GetProperty("version").GetInt64())
            .Select(e => e.GetProperty("recordedAt").GetString()!).ToArray();

        Assert.All(recorded, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", r));
        Assert.Equal(recorded.Order(StringComparer.Ordinal), recorded);
    }

    [Fact]
    public async Task unknown_routes_and_methods_answer_with_problem_details()
    {
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/no-such-route");
            s.StatusCodeShouldBe(404);
        });
        var answer = await Answer.From(result);

        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal("/problems/not-found", answer.ProblemType);
    }
}
