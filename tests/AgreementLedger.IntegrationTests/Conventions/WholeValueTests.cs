using System.Globalization;
using Alba;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// docs/api.md "Conventions": every pattern matches the whole value (a trailing line feed or any other
/// control character is 400, in bodies, routes and query strings), every date and instant from
/// 0001-01-01 to 9999-12-31 is answered 2xx or 4xx, amounts stay exact, and a validation answer
/// stays small whatever the body held.
/// </summary>
[Collection(ConventionsCollection.Name)]
public sealed class WholeValueTests(LedgerHost ledger)
{
    [Theory]
    [InlineData("id")]
    [InlineData("parties")]
    [InlineData("areas")]
    public async Task a_proposal_whose_pattern_field_ends_in_a_line_feed_is_400_and_records_nothing(string field)
    {
        var id = Given.NewId("lf");
        var body = new Dictionary<string, object>
        {
            ["id"] = field == "id" ? id + "\n" : id,
            ["title"] = "Trailing line feed",
            ["kind"] = "partnership",
            ["parties"] = field == "parties" ? new[] { "JP\n" } : ["JP"],
            ["areas"] = field == "areas" ? new[] { "space\n" } : ["space"],
        };
        var before = await ledger.TotalEventsAsync();

        var answer = await ledger.Host.PostAsync("/agreements", body, 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.True(answer["errors"].TryGetProperty(field == "id" ? "id" : field + "[0]", out _), answer.Text);
        Assert.Equal(before, await ledger.TotalEventsAsync());
        await ledger.Host.GetAsync($"/agreements/{id}", 404);
    }

    [Theory]
    [InlineData("/signatures", "{\"party\": \"GB\\n\"}", "party")]
    [InlineData("/parties", "{\"party\": \"KR\\u000b\"}", "party")]
    [InlineData("/funding", "{\"funder\": \"EU\\n\", \"amount\": 5, \"currency\": \"EUR\"}", "funder")]
    [InlineData("/deliverables", "{\"deliverableId\": \"d-1\\n\", \"name\": \"D\"}", "deliverableId")]
    public async Task a_command_whose_pattern_field_ends_in_a_control_character_is_400_and_records_nothing(string route, string body, string field)
    {
        var id = Given.NewId("lf");
        await ledger.Host.ProposedAsync(id, "JP", "GB");

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}{route}", body, 400);

        Assert.True(answer["errors"].TryGetProperty(field, out _), answer.Text);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Theory]
    [InlineData("/agreements/{id}%0A")]
    [InlineData("/agreements/{id}%0A/timeline")]
    [InlineData("/agreements?party=JP%0A")]
    [InlineData("/agreements?area=space%0A")]
    [InlineData("/agreements?kind=treaty%0A")]
    [InlineData("/parties/JP%0A/agreements")]
    [InlineData("/agreements/{id}?asOf=2024-06-23%0A")]
    [InlineData("/agreements/{id}?effectiveOn=2024-06-23%0A")]
    [InlineData("/agreements/{id}/timeline?cursor=%07")]
    [InlineData("/audit/verify?agreementId={id}%0A")]
    [InlineData("/events?types=party_signed%0A")]
    public async Task a_route_or_query_value_with_a_control_character_is_400(string url)
    {
        var id = Given.NewId("lf");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.GetAsync(url.Replace("{id}", id, StringComparison.Ordinal), 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
    }

    [Theory]
    [InlineData("suspension%0A")]
    [InlineData("termination%0D")]
    [InlineData("withdrawal%C2%85")]
    public async Task a_standing_change_whose_route_ends_in_a_control_character_is_a_4xx_and_records_nothing(string change)
    {
        var id = Given.NewId("lf");
        await ledger.Host.SignedAsync(id, "JP");
        var before = await ledger.EventCountAsync(id);

        var result = await ledger.Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "r" }).ToUrl($"/agreements/{id}/{change}");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.IgnoreStatusCode();
        });

        Assert.Equal(400, result.Context.Response.StatusCode);
        Assert.Equal(before, await ledger.EventCountAsync(id));
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T23:59:59-05:00")]
    [InlineData("9999-12-31T20:00:00-14:00")]
    [InlineData("2200-01-01t00:00:00z")]
    public async Task an_as_of_at_or_past_the_end_of_the_calendar_means_now_on_every_reading(string asOf)
    {
        var id = Given.NewId("eoc");
        var party = Given.NewParty();
        await ledger.Host.SignedAsync(id, party);
        var q = Uri.EscapeDataString(asOf);

        var details = await ledger.Host.GetAsync($"/agreements/{id}?asOf={q}");
        Assert.Equal("Signed", details["status"].GetString());
        var timeline = await ledger.Host.GetAsync($"/agreements/{id}/timeline?asOf={q}");
        Assert.Equal(2, timeline["entries"].GetArrayLength());
        var list = await ledger.Host.GetAsync($"/agreements?party={party}&asOf={q}");
        Assert.Equal([id], list["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var portfolio = await ledger.Host.GetAsync($"/parties/{party}/agreements?asOf={q}");
        Assert.Equal([id], portfolio["agreements"].EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var export = await ledger.Host.Scenario(s =>
        {
            s.Get.Url($"/audit/export?asOf={q}");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.StatusCodeShouldBe(200);
        });
        Assert.Contains(id, await export.ReadAsTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("0001-01-01T00:59:59.9999999+01:00")]
    [InlineData("2024-02-30")]
    [InlineData("2024-02-30T10:00:00Z")]
    [InlineData("2024-06-23T24:00:00Z")]
    [InlineData("2024-06-23T10:00:00+24:00")]
    [InlineData("2024-06-23T10:00:00")]
    [InlineData("٢٠٢٤-٠٦-٢٣T10:00:00Z")]
    public async Task an_as_of_that_is_impossible_or_before_the_calendar_is_400_on_every_reading(string asOf)
    {
        var id = Given.NewId("boc");
        await ledger.Host.ProposedAsync(id, "JP");
        var q = Uri.EscapeDataString(asOf);

        foreach (var url in new[] { $"/agreements/{id}", $"/agreements/{id}/timeline", "/agreements", "/parties/JP/agreements", "/audit/export" })
        {
            var answer = await ledger.Host.GetAsync($"{url}?asOf={q}", 400);
            Assert.True(answer["errors"].TryGetProperty("asOf", out _), url + ": " + answer.Text);
        }
    }

    [Fact]
    public async Task the_first_instant_of_the_calendar_is_answered_as_a_time_before_every_agreement()
    {
        var id = Given.NewId("boc");
        var party = Given.NewParty();
        await ledger.Host.ProposedAsync(id, party);

        foreach (var asOf in new[] { "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.0000001Z" })
        {
            var q = Uri.EscapeDataString(asOf);
            await ledger.Host.GetAsync($"/agreements/{id}?asOf={q}", 404);
            Assert.Equal(0, (await ledger.Host.GetAsync($"/agreements?party={party}&asOf={q}"))["items"].GetArrayLength());
        }

        await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=0001-01-01", 404);
        Assert.Equal("Proposed", (await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=9999-12-31"))["status"].GetString());
    }

    [Fact]
    public async Task an_instant_is_truncated_to_the_microsecond_never_rounded_up()
    {
        var id = Given.NewId("micro");
        await ledger.Host.ProposedAsync(id, "JP");
        var recordedAt = DateTimeOffset.Parse(
            (await ledger.Host.GetAsync($"/agreements/{id}"))["lastRecordedAt"].GetString()!, CultureInfo.InvariantCulture);

        // One microsecond before the proposal, plus 0.9 µs: rounding would reach the proposal, truncation does not.
        var justBefore = recordedAt.AddTicks(-10).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "9Z";
        await ledger.Host.GetAsync($"/agreements/{id}?asOf={Uri.EscapeDataString(justBefore)}", 404);
        var atIt = recordedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "999Z";
        Assert.Equal(1, (await ledger.Host.GetAsync($"/agreements/{id}?asOf={Uri.EscapeDataString(atIt)}"))["version"].GetInt64());
    }

    [Fact]
    public async Task an_as_of_in_the_future_judges_targets_against_today_not_that_date()
    {
        var id = Given.NewId("future");
        await ledger.Host.ProposedAsync(id, "JP");
        var inTenDays = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = inTenDays }, 200);

        var target = (await ledger.Host.GetAsync($"/agreements/{id}?asOf=9999-12-31"))["targets"][0];

        Assert.False(target.GetProperty("overdue").GetBoolean());
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("0001-01-01")]
    public async Task dates_at_the_ends_of_the_calendar_in_a_body_are_answered_4xx_when_out_of_place_never_5xx(string day)
    {
        var id = Given.NewId("eocbody");
        await ledger.Host.ProposedAsync(id, "JP");

        // In the future, or before the proposal: 400, nothing recorded.
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = day }, 400);
        Assert.Equal(1, await ledger.EventCountAsync(id));

        // A target or a due date may lie anywhere in the calendar.
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = day }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "d-" + day, name = "D", dueBy = day }, 200);
        var details = await ledger.Host.GetAsync($"/agreements/{id}");
        Assert.Equal(day, details["targets"][0].GetProperty("targetDate").GetString());
    }

    [Fact]
    public async Task a_proposal_dated_on_the_first_day_of_the_calendar_is_recorded_and_read_back()
    {
        var id = Given.NewId("day1");
        await ledger.Host.PostAsync("/agreements", new { id, title = "Ancient", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>(), occurredOn = "0001-01-01" }, 201);

        Assert.Equal("0001-01-01", (await ledger.Host.GetAsync($"/agreements/{id}"))["proposedOn"].GetString());
        Assert.Equal("0001-01-01", (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][0].GetProperty("occurredOn").GetString());
    }

    [Theory]
    [InlineData("10000000000000", 200)]
    [InlineData("10000000000000.00", 200)]
    [InlineData("10000000000000.01", 400)]
    [InlineData("70000000000000.01", 400)]
    [InlineData("1e400", 400)]
    [InlineData("0.001", 400)]
    public async Task amounts_are_capped_at_ten_to_the_thirteenth(string amount, int status)
    {
        var id = Given.NewId("cap");
        await ledger.Host.SignedAsync(id, "JP");

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/funding", $"{{\"funder\": \"JP\", \"amount\": {amount}, \"currency\": \"JPY\"}}", status);

        Assert.Equal(status == 200 ? 3 : 2, await ledger.EventCountAsync(id));
        if (status == 400)
        {
            Assert.True(answer["errors"].TryGetProperty("amount", out _), answer.Text);
        }
    }

    [Theory]
    [InlineData("10.01", "10.010000000000000001", 422)]
    [InlineData("9999999999999.99", "9999999999999.990000001", 422)]
    [InlineData("5", "5.00", 200)]
    [InlineData("5", "0.5e1", 200)]
    public async Task amounts_that_differ_are_never_one_request_to_idempotency(string first, string second, int retried)
    {
        var id = Given.NewId("cents");
        await ledger.Host.SignedAsync(id, "JP");
        var key = Guid.NewGuid().ToString();
        string Body(string amount) => $"{{\"funder\": \"JP\", \"amount\": {amount}, \"currency\": \"JPY\"}}";

        await ledger.Host.PostRawAsync($"/agreements/{id}/funding", Body(first), 200, s => s.WithRequestHeader("Idempotency-Key", key));
        var again = await ledger.Host.PostRawAsync($"/agreements/{id}/funding", Body(second), retried, s => s.WithRequestHeader("Idempotency-Key", key));

        Assert.Equal(3, await ledger.EventCountAsync(id));
        if (retried == 422)
        {
            Assert.Equal("/problems/idempotency-key-reuse", again.ProblemType);
        }
        else
        {
            Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        }
    }

    [Fact]
    public async Task a_body_of_twenty_thousand_unknown_members_answers_a_small_problem_naming_at_most_fifty()
    {
        var id = Given.NewId("many");
        await ledger.Host.ProposedAsync(id, "JP");
        var body = "{" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"unknown{i}\": {i}")) + "}";

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/signatures", body, 400);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(answer.Text) < 16 * 1024, $"{answer.Text.Length} characters");
        var named = answer["errors"].EnumerateObject().Select(e => e.Name).ToList();
        Assert.InRange(named.Count, 1, 50);
        Assert.Equal("unknown0", named[0]);
        Assert.Contains("more not named here", answer["detail"].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_body_of_huge_member_names_answers_a_small_problem()
    {
        var id = Given.NewId("long");
        await ledger.Host.ProposedAsync(id, "JP");
        var body = "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"{i}{new string('\u6771', 5_000)}\": 1")) + "}";

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/signatures", body, 400);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(answer.Text) < 16 * 1024, $"{answer.Text.Length} characters");
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }
}
