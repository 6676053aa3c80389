using Alba;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

[Collection(CommandsCollection.Name)]
public sealed class ProposingTests(LedgerHost ledger)
{
    [Fact]
    public async Task proposes_with_201_location_etag_and_the_current_state()
    {
        var id = Given.NewId("gcap");
        var answer = await ledger.Host.PostAsync("/agreements", new
        {
            id,
            title = "Global Combat Air Programme treaty",
            kind = "treaty",
            parties = new[] { "JP", "GB", "IT" },
            areas = new[] { "defence-industry" },
            summary = "Next-generation fighter",
            occurredOn = "2023-12-14",
            sources = new[] { new { publisher = "Reuters", url = "https://example.org/gcap", publishedOn = "2023-12-14" } },
        }, 201);

        Assert.Equal($"/agreements/{id}", answer.Headers["Location"]);
        Assert.Equal("\"1\"", answer.ETag);
        Assert.Equal(id, answer["id"].GetString());
        Assert.Equal("Proposed", answer["status"].GetString());
        Assert.Equal(["JP", "GB", "IT"], answer["parties"].EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("2023-12-14", answer["proposedOn"].GetString());
        Assert.Equal("Next-generation fighter", answer["summary"].GetString());
        Assert.Equal(1, answer["version"].GetInt64());
        Assert.Equal("Reuters", answer["sources"][0].GetProperty("publisher").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", answer["lastRecordedAt"].GetString());

        var read = await ledger.Host.GetAsync($"/agreements/{id}");
        Assert.Equal("\"1\"", read.ETag);
        Assert.Equal(answer.Text, read.Text);
    }

    [Fact]
    public async Task assigns_a_uuid_when_the_id_is_omitted()
    {
        var answer = await ledger.Host.PostAsync("/agreements", new
        {
            title = "Unnamed", kind = "forum", parties = new[] { "US", "JP" }, areas = Array.Empty<string>(),
        }, 201);

        var id = answer["id"].GetString()!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal($"/agreements/{id}", answer.Headers["Location"]);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task stores_the_body_after_defaults_as_the_event_data()
    {
        var id = Given.NewId("defaults");
        await ledger.Host.PostAsync("/agreements", new { id, title = "T", kind = "other", parties = new[] { "EU" }, areas = new[] { "space" } }, 201);

        var entry = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][0];
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd");
        Assert.Equal("agreement_proposed", entry.GetProperty("type").GetString());
        Assert.Equal(today, entry.GetProperty("occurredOn").GetString());
        var data = entry.GetProperty("data");
        Assert.Equal(today, data.GetProperty("occurredOn").GetString());
        Assert.Equal(id, data.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Array, data.GetProperty("sources").ValueKind);
        Assert.Equal("test-admin", entry.GetProperty("recordedBy").GetString());
    }

    [Fact]
    public async Task rejects_an_existing_id_with_409_already_exists_and_appends_nothing()
    {
        var id = Given.NewId("dup");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.PostAsync("/agreements", new { id, title = "Again", kind = "treaty", parties = new[] { "KR" }, areas = Array.Empty<string>() }, 409);

        Assert.Equal("/problems/already-exists", answer.ProblemType);
        Assert.Equal(1, await ledger.EventCountAsync(id));
        Assert.Equal("Test agreement " + id, (await ledger.Host.GetAsync($"/agreements/{id}"))["title"].GetString());
    }

    [Fact]
    public async Task rejects_invalid_fields_with_400_naming_each_and_appends_nothing()
    {
        var before = await ledger.TotalEventsAsync();

        var answer = await ledger.Host.PostAsync("/agreements", new
        {
            id = "Bad_Id",
            title = "",
            kind = "alliance",
            parties = new[] { "jp", "GB", "GB" },
            areas = new[] { "Space Stuff" },
            occurredOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd"),
            sources = new[] { new { publisher = "X", url = "not a url" } },
        }, 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.Equal("application/problem+json", answer.ContentType);
        var fields = answer["errors"].EnumerateObject().Select(e => e.Name).Order().ToArray();
        Assert.Equal(["areas[0]", "id", "kind", "occurredOn", "parties[0]", "parties[2]", "sources[0].url", "title"], fields);
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Fact]
    public async Task requires_at_least_one_party()
    {
        var answer = await ledger.Host.PostAsync("/agreements", new { title = "T", kind = "treaty", parties = Array.Empty<string>(), areas = Array.Empty<string>() }, 400);
        Assert.True(answer["errors"].TryGetProperty("parties", out _));

        var missing = await ledger.Host.PostAsync("/agreements", new { title = "T", kind = "treaty" }, 400);
        Assert.True(missing["errors"].TryGetProperty("parties", out _));
        Assert.True(missing["errors"].TryGetProperty("areas", out _));
    }
}

[Collection(CommandsCollection.Name)]
public sealed class ConcurrentProposingTests(LedgerHost ledger)
{
    [Fact]
    public async Task racing_proposals_of_one_id_create_it_once_and_answer_the_rest_409()
    {
        var id = Given.NewId("race");
        var body = Given.Body(new { id, title = "Race", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var result = await ledger.Host.Scenario(s =>
            {
                s.Post.RawJson(body).ToUrl("/agreements");
                s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                s.IgnoreStatusCode();
            });
            return result.Context.Response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(7, statuses.Count(s => s == 409));
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }
}
