using AgreementLedger.Ledger;
using Alba;
using System.Globalization;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements.Retracting;

[Collection(TimeTravelCollection.Name)]
public sealed class RetractionTests(ClockedLedgerHost ledger)
{
    [Fact]
    public async Task a_retraction_removes_the_event_from_the_state_but_not_from_history()
    {
        var id = Given.NewId("retract");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-01" }, 200);
        ledger.Clock.Advance(TimeSpan.FromHours(1));
        var beforeRetraction = ledger.Clock.GetUtcNow();
        ledger.Clock.Advance(TimeSpan.FromHours(1));

        var retracted = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "Round was misreported" }, 200);

        Assert.Equal("Proposed", retracted["status"].GetString());
        Assert.Equal(3, retracted["version"].GetInt64());
        Assert.Equal("\"3\"", retracted.ETag);

        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().ToDictionary(e => e.GetProperty("version").GetInt64());
        Assert.True(entries[2].GetProperty("retracted").GetBoolean());
        Assert.Equal("test-admin", entries[2].GetProperty("retractedBy").GetString());
        Assert.Equal("Round was misreported", entries[2].GetProperty("retractionReason").GetString());
        Assert.False(entries[1].GetProperty("retracted").GetBoolean());
        var retraction = entries[3];
        Assert.Equal("event_retracted", retraction.GetProperty("type").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, retraction.GetProperty("occurredOn").ValueKind);
        Assert.Equal(2, retraction.GetProperty("data").GetProperty("version").GetInt64());
        Assert.Equal("Event 2 retracted: Round was misreported", retraction.GetProperty("summary").GetString());

        // Before the retraction was recorded, the round was known and in effect.
        var asOf = Uri.EscapeDataString(beforeRetraction.ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal("Negotiating", (await ledger.Host.GetAsync($"/agreements/{id}?asOf={asOf}"))["status"].GetString());
        var then = (await ledger.Host.GetAsync($"/agreements/{id}/timeline?asOf={asOf}"))["entries"].EnumerateArray().ToArray();
        Assert.Equal(2, then.Length);
        Assert.All(then, e => Assert.False(e.GetProperty("retracted").GetBoolean()));
    }

    [Fact]
    public async Task the_hash_chain_covers_the_retraction_with_a_null_occurred_on()
    {
        var id = Given.NewId("retracthash");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "wrong source" }, 200);

        var previous = EventHash.Genesis;
        foreach (var entry in (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().OrderBy(e => e.GetProperty("version").GetInt64()))
        {
            var occurred = entry.GetProperty("occurredOn");
            var hash = EventHash.Compute(previous, new HashedEvent(
                entry.GetProperty("type").GetString()!, id, entry.GetProperty("version").GetInt64(),
                occurred.ValueKind == System.Text.Json.JsonValueKind.Null ? null : DateOnly.Parse(occurred.GetString()!, CultureInfo.InvariantCulture),
                entry.GetProperty("recordedAt").GetString()!, entry.GetProperty("recordedBy").GetString()!, entry.GetProperty("data")));
            Assert.Equal(hash, entry.GetProperty("hash").GetString());
            previous = hash;
        }
    }

    [Fact]
    public async Task after_retracting_a_signature_the_party_may_sign_again()
    {
        var id = Given.NewId("resign");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "signed by the wrong official" }, 200);

        var again = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-03", signedBy = "Foreign Minister" }, 200);

        var signatory = Assert.Single(again["signatories"].EnumerateArray());
        Assert.Equal("2024-02-03", signatory.GetProperty("signedOn").GetString());
    }

    [Fact]
    public async Task refuses_retractions_that_the_contract_forbids_and_appends_nothing()
    {
        var id = Given.NewId("retractno");
        await ledger.Host.SignedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 10, currency = "JPY", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", occurredOn = "2024-03-02" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 4, reason = "dup" }, 200);

        var proposal = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 1, reason = "x" }, 409);
        var retraction = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 5, reason = "x" }, 409);
        var already = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 4, reason = "x" }, 409);
        var breaksFunding = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "x" }, 409);
        var missing = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 99, reason = "x" }, 400);
        var noReason = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 3 }, 400);

        Assert.All([proposal, retraction, already, breaksFunding], a => Assert.Equal("/problems/lifecycle-conflict", a.ProblemType));
        Assert.Contains("proposal", proposal["detail"].GetString());
        Assert.Contains("is a retraction", retraction["detail"].GetString());
        Assert.Contains("already retracted", already["detail"].GetString());
        Assert.Contains("event 3 (funding_committed)", breaksFunding["detail"].GetString());
        Assert.True(missing["errors"].TryGetProperty("version", out _));
        Assert.True(noReason["errors"].TryGetProperty("reason", out _));
        Assert.Equal(5, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_retraction_with_a_stale_if_match_is_412()
    {
        var id = Given.NewId("retract412");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { }, 200);

        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "x" }, 412, s => s.WithRequestHeader("If-Match", "\"1\""));
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "x" }, 200, s => s.WithRequestHeader("If-Match", "\"2\""));

        Assert.Equal(3, await ledger.EventCountAsync(id));
    }
}
