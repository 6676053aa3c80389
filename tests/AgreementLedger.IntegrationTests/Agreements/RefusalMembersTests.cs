using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>The 409 <c>lifecycle-conflict</c> over HTTP: its <c>conflict</c> member names the rule, the field and the events, and nothing is appended.</summary>
[Collection(CommandsCollection.Name)]
public sealed class RefusalMembersTests(LedgerHost ledger)
{
    [Fact]
    public async Task a_second_signature_names_the_first_and_a_non_party_is_told_to_join_first_and_neither_appends()
    {
        var id = Given.NewId("refusal");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        var twice = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-03" }, 409);
        var outsider = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "NZ", occurredOn = "2024-02-03" }, 409);

        Assert.Equal(("/problems/lifecycle-conflict", "The lifecycle does not allow this", 409), (twice.ProblemType, twice["title"].GetString(), twice["status"].GetInt32()));
        var conflict = twice["conflict"];
        Assert.Equal(("already-signed", "party", "JP"), (Text(conflict, "rule"), Text(conflict, "field"), Text(conflict, "subject")));
        Assert.Equal("JP already signed on 2024-02-01 (event 2)", Text(conflict, "message"));
        Assert.Equal("JP already signed on 2024-02-01 (event 2). Recording this would break the lifecycle at event 3 (party_signed) on 2024-02-03.", twice["detail"].GetString());
        Assert.Equal("""{"version":2,"type":"party_signed","occurredOn":"2024-02-01","recorded":true}""", conflict.GetProperty("conflictsWith").GetRawText());
        Assert.Equal("""{"version":3,"type":"party_signed","occurredOn":"2024-02-03","recorded":false}""", conflict.GetProperty("breaksAt").GetRawText());

        Assert.Equal(("party-not-member", "party", "NZ is not a party: add it first"), (Text(outsider["conflict"], "rule"), Text(outsider["conflict"], "field"), Text(outsider["conflict"], "message")));
        Assert.False(outsider["conflict"].TryGetProperty("conflictsWith", out _));
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_stage_refusal_names_the_status_the_statuses_that_allow_it_and_the_event_that_set_it()
    {
        var id = Given.NewId("refusal-stage");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        var round = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-01" }, 409);

        var conflict = round["conflict"];
        Assert.Equal(("stage-not-allowed", "Signed"), (Text(conflict, "rule"), Text(conflict, "status")));
        Assert.Equal(["Proposed", "Negotiating"], conflict.GetProperty("allowedStatuses").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, conflict.GetProperty("conflictsWith").GetProperty("version").GetInt64());
        Assert.False(conflict.TryGetProperty("field", out _));
        Assert.Contains("event 3 (negotiation_round_held)", round["detail"].GetString());
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_retraction_that_breaks_a_later_event_lands_at_the_version_and_names_that_event()
    {
        var id = Given.NewId("refusal-retract");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 5, currency = "EUR", occurredOn = "2024-02-05" }, 200);

        var retraction = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "wrong" }, 409);

        var conflict = retraction["conflict"];
        Assert.Equal(("stage-not-allowed", "version"), (Text(conflict, "rule"), Text(conflict, "field")));
        Assert.Equal("""{"version":3,"type":"funding_committed","occurredOn":"2024-02-05","recorded":true}""", conflict.GetProperty("breaksAt").GetRawText());
        Assert.StartsWith("Event 3 (funding_committed) on 2024-02-05 would no longer fit", Text(conflict, "message"), StringComparison.Ordinal);
        Assert.Equal(3, await ledger.EventCountAsync(id));
    }

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();
}
