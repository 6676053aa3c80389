using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

[Collection(CommandsCollection.Name)]
public sealed class NegotiatingAndSigningTests(LedgerHost ledger)
{
    [Fact]
    public async Task a_negotiation_round_moves_a_proposal_to_negotiating()
    {
        var id = Given.NewId("round");
        await ledger.Host.ProposedAsync(id, "EU", "JP");

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds",
            new { occurredOn = "2024-03-01", location = "Brussels", participants = new[] { "EU", "JP" } }, 200);

        Assert.Equal("Negotiating", answer["status"].GetString());
        Assert.Equal(2, answer["version"].GetInt64());
        Assert.Equal("\"2\"", answer.ETag);
        var entry = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][1];
        Assert.Equal("negotiation_round_held", entry.GetProperty("type").GetString());
        Assert.Equal("Negotiation round held in Brussels with EU and JP", entry.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task signed_once_every_party_has_signed_on_the_date_of_the_last_signature()
    {
        var id = Given.NewId("sign");
        await ledger.Host.ProposedAsync(id, "JP", "GB", "IT");

        var first = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01", signedBy = "PM", place = "Tokyo" }, 200);
        Assert.Equal("Proposed", first["status"].GetString());
        // Learned late: IT signed before JP, and GB's signature (recorded last) completes the set.
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "IT", occurredOn = "2024-01-20" }, 200);
        var last = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-05" }, 200);

        Assert.Equal("Signed", last["status"].GetString());
        Assert.Equal("2024-02-05", last["signedOn"].GetString());
        var signatories = last["signatories"].EnumerateArray().Select(s => (s.GetProperty("party").GetString(), s.GetProperty("signedOn").GetString())).ToArray();
        Assert.Equal([("IT", "2024-01-20"), ("JP", "2024-02-01"), ("GB", "2024-02-05")], signatories);
        Assert.Equal("Tokyo", last["signatories"][1].GetProperty("place").GetString());
    }

    [Fact]
    public async Task rejects_a_signature_by_a_non_party_or_a_second_signature_with_409_and_appends_nothing()
    {
        var id = Given.NewId("nonparty");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        var outsider = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "US", occurredOn = "2024-02-02" }, 409);
        var twice = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-03" }, 409);

        Assert.Equal("/problems/lifecycle-conflict", outsider.ProblemType);
        Assert.Contains("event 3 (party_signed)", outsider["detail"].GetString());
        Assert.Contains("US is not a party", outsider["detail"].GetString());
        Assert.Contains("JP already signed on", twice["detail"].GetString());
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task accepts_a_round_dated_before_signatures_recorded_earlier()
    {
        var id = Given.NewId("lateround");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-03-02" }, 200);

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200);

        Assert.Equal("Signed", answer["status"].GetString());
        var versions = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray()
            .Select(e => e.GetProperty("version").GetInt64()).ToArray();
        Assert.Equal([1L, 4L, 2L, 3L], versions);
    }

    [Fact]
    public async Task rejects_a_round_dated_after_the_agreement_was_signed_naming_the_event_that_breaks()
    {
        var id = Given.NewId("afterSigned".ToLowerInvariant());
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-01" }, 200);

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-05" }, 409);

        Assert.Equal("/problems/lifecycle-conflict", answer.ProblemType);
        Assert.Contains("event 3 (negotiation_round_held)", answer["detail"].GetString());
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task rejects_a_signature_that_would_break_a_later_round_naming_that_round()
    {
        var id = Given.NewId("breakslater");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-05" }, 200);

        // JP signing on 2024-03-01 would make the agreement Signed before the round of 2024-03-05.
        var answer = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-01" }, 409);

        Assert.Contains("event 2 (negotiation_round_held)", answer["detail"].GetString());
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task rejects_dates_before_the_proposal_or_in_the_future_with_400()
    {
        var id = Given.NewId("dates");
        await ledger.Host.ProposedAsync(id, "JP");

        var early = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-09" }, 400);
        var future = await ledger.Host.PostAsync($"/agreements/{id}/signatures",
            new { party = "JP", occurredOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1).ToString("yyyy-MM-dd") }, 400);

        Assert.True(early["errors"].TryGetProperty("occurredOn", out _));
        Assert.True(future["errors"].TryGetProperty("occurredOn", out _));
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task eight_concurrent_commands_without_if_match_all_succeed()
    {
        var id = Given.NewId("concurrent");
        await ledger.Host.ProposedAsync(id, "US", "JP");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", summary = $"round {i}" }, 200)));

        Assert.Equal(Enumerable.Range(2, 8).Select(v => (long)v), answers.Select(a => a["version"].GetInt64()).Order());
        Assert.Equal(9, await ledger.EventCountAsync(id));
        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().ToArray();
        for (var i = 1; i < entries.Length; i++)
        {
            Assert.Equal(entries[i - 1].GetProperty("hash").GetString(), entries[i].GetProperty("previousHash").GetString());
        }
    }

    [Fact]
    public async Task twelve_concurrent_commands_with_if_match_star_all_succeed_with_an_unbroken_chain()
    {
        var id = Given.NewId("concurrent-star");
        await ledger.Host.ProposedAsync(id, "US", "JP");

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01", summary = $"round {i}" }, 200,
                s => s.WithRequestHeader("If-Match", "*"))));

        Assert.Equal(Enumerable.Range(2, 12).Select(v => (long)v), answers.Select(a => a["version"].GetInt64()).Order());
        Assert.True((await ledger.Host.GetAsync($"/audit/verify?agreementId={id}"))["verified"].GetBoolean());
    }

    [Fact]
    public async Task of_concurrent_commands_naming_the_same_version_one_succeeds_and_the_others_get_412_appending_nothing()
    {
        var id = Given.NewId("concurrent-match");
        await ledger.Host.ProposedAsync(id, "US", "JP");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var answer = await ledger.Host.Scenario(s =>
            {
                s.Post.Json(new { occurredOn = "2024-02-01", summary = $"round {i}" }).ToUrl($"/agreements/{id}/negotiation-rounds");
                s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                s.WithRequestHeader("If-Match", "\"1\"");
                s.IgnoreStatusCode();
            });
            return answer.Context.Response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(5, statuses.Count(s => s == 412));
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }
}
