using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements;

[Collection(CommandsCollection.Name)]
public sealed class LifecycleCommandsTests(LedgerHost ledger)
{
    [Fact]
    public async Task terms_agreed_moves_to_negotiated_after_which_rounds_are_refused()
    {
        var id = Given.NewId("terms");
        await ledger.Host.ProposedAsync(id, "EU", "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200);

        var agreed = await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-03-01", summary = "Text agreed" }, 200);
        var round = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-05" }, 409);

        Assert.Equal("Negotiated", agreed["status"].GetString());
        Assert.Contains("event 4 (negotiation_round_held)", round["detail"].GetString());
        Assert.Equal(3, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_joined_party_must_sign_too_and_cannot_join_twice()
    {
        var id = Given.NewId("join");
        await ledger.Host.ProposedAsync(id, "US", "JP");
        var joined = await ledger.Host.PostAsync($"/agreements/{id}/parties", new { party = "PH", occurredOn = "2024-01-20" }, 200);
        Assert.Equal(["US", "JP", "PH"], joined["parties"].EnumerateArray().Select(p => p.GetString()));

        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "US", occurredOn = "2024-02-01" }, 200);
        var twoOfThree = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var again = await ledger.Host.PostAsync($"/agreements/{id}/parties", new { party = "PH", occurredOn = "2024-02-02" }, 409);
        var all = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "PH", occurredOn = "2024-02-03" }, 200);
        var late = await ledger.Host.PostAsync($"/agreements/{id}/parties", new { party = "CA", occurredOn = "2024-02-04" }, 409);

        Assert.Equal("Proposed", twoOfThree["status"].GetString());
        Assert.Contains("PH is already a party", again["detail"].GetString());
        Assert.Equal("Signed", all["status"].GetString());
        Assert.Equal("2024-02-03", all["signedOn"].GetString());
        Assert.Contains("event 6 (party_joined)", late["detail"].GetString());
        Assert.Equal(5, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task funding_and_deliveries_take_a_signed_agreement_to_funded_then_delivered()
    {
        var id = Given.NewId("deliver");
        await ledger.Host.ProposedAsync(id, "JP", "GB", "IT");
        await ledger.Host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "fighter", name = "Next-generation fighter", dueBy = "2035-12-31", occurredOn = "2024-01-15" }, 200);
        foreach (var party in new[] { "JP", "GB", "IT" })
        {
            await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-02-01" }, 200);
        }

        var funded = await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "GB", amount = 1000000.50m, currency = "GBP", purpose = "design", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 250m, currency = "JPY", occurredOn = "2024-03-02" }, 200);
        var more = await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "EU", amount = 0.25m, currency = "GBP", occurredOn = "2024-03-03" }, 200);
        var delivered = await ledger.Host.PostAsync($"/agreements/{id}/deliveries", new { deliverableId = "fighter", occurredOn = "2024-04-01", note = "prototype" }, 200);

        Assert.Equal("Funded", funded["status"].GetString());
        Assert.Equal(1000000.75m, more["funding"].GetProperty("GBP").GetDecimal());
        Assert.Equal(250m, more["funding"].GetProperty("JPY").GetDecimal());
        Assert.Equal("Delivered", delivered["status"].GetString());
        var deliverable = delivered["deliverables"][0];
        Assert.Equal("fighter", deliverable.GetProperty("deliverableId").GetString());
        Assert.Equal("2035-12-31", deliverable.GetProperty("dueBy").GetString());
        Assert.Equal("2024-04-01", deliverable.GetProperty("deliveredOn").GetString());

        var twice = await ledger.Host.PostAsync($"/agreements/{id}/deliveries", new { deliverableId = "fighter", occurredOn = "2024-04-02" }, 409);
        var unplanned = await ledger.Host.PostAsync($"/agreements/{id}/deliveries", new { deliverableId = "ship", occurredOn = "2024-04-02" }, 409);
        var duplicate = await ledger.Host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "fighter", name = "Again", occurredOn = "2024-04-02" }, 409);
        Assert.Contains("only while the agreement is Signed or Funded; it has been Delivered", twice["detail"].GetString());
        Assert.Contains("only while the agreement is Signed or Funded; it has been Delivered", unplanned["detail"].GetString());
        Assert.Contains("already planned", duplicate["detail"].GetString());
        Assert.Equal(9, await ledger.EventCountAsync(id));

        var reopened = await ledger.Host.PostAsync($"/agreements/{id}/deliverables", new { deliverableId = "engine", name = "Engine", occurredOn = "2024-05-01" }, 200);
        Assert.Equal("Funded", reopened["status"].GetString());
    }

    [Fact]
    public async Task funding_before_the_agreement_is_signed_is_refused_naming_the_funding()
    {
        var id = Given.NewId("earlyfunding");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-10" }, 200);

        // Dated before the last signature, so before the agreement was Signed.
        var answer = await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 5, currency = "JPY", occurredOn = "2024-02-05" }, 409);

        Assert.Equal("/problems/lifecycle-conflict", answer.ProblemType);
        Assert.Contains("event 4 (funding_committed) on 2024-02-05", answer["detail"].GetString());
        Assert.Equal(3, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task targets_are_met_overdue_or_pending_and_replace_earlier_ones()
    {
        var id = Given.NewId("targets");
        await ledger.Host.ProposedAsync(id, "EU", "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = "2024-01-31", occurredOn = "2024-01-10" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Negotiating", targetDate = "2024-03-01", occurredOn = "2024-01-10" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Delivered", targetDate = "2099-12-31", note = "far", occurredOn = "2024-01-10" }, 200);
        var state = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200);

        var targets = state["targets"].EnumerateArray().ToDictionary(t => t.GetProperty("milestone").GetString()!);
        Assert.True(targets["Negotiating"].GetProperty("met").GetBoolean());
        Assert.False(targets["Negotiating"].GetProperty("overdue").GetBoolean());
        Assert.False(targets["Signed"].GetProperty("met").GetBoolean());
        Assert.True(targets["Signed"].GetProperty("overdue").GetBoolean());
        Assert.False(targets["Delivered"].GetProperty("met").GetBoolean());
        Assert.False(targets["Delivered"].GetProperty("overdue").GetBoolean());

        var replaced = await ledger.Host.PostAsync($"/agreements/{id}/targets", new { milestone = "Signed", targetDate = "2099-01-01", occurredOn = "2024-02-02" }, 200);
        var signed = replaced["targets"].EnumerateArray().Single(t => t.GetProperty("milestone").GetString() == "Signed");
        Assert.Equal("2099-01-01", signed.GetProperty("targetDate").GetString());
        Assert.False(signed.GetProperty("overdue").GetBoolean());
        Assert.Equal(3, replaced["targets"].GetArrayLength());
    }

    [Fact]
    public async Task sources_and_amendments_are_added_to_the_state()
    {
        var id = Given.NewId("cite");
        await ledger.Host.ProposedAsync(id, "EU", "KR");

        var cited = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei", url = "https://asia.nikkei.com/x", publishedOn = "2024-06-23", note = "senior official" }, 200);
        var amended = await ledger.Host.PostAsync($"/agreements/{id}/amendments", new { summary = "Adds maritime security", occurredOn = "2024-03-01" }, 200);

        Assert.Equal("Nikkei", cited["sources"][0].GetProperty("publisher").GetString());
        Assert.Equal("senior official", cited["sources"][0].GetProperty("note").GetString());
        Assert.Equal("Adds maritime security", amended["summary"].GetString());
        Assert.Equal("2024-03-01", amended["amendments"][0].GetProperty("occurredOn").GetString());
    }

    [Fact]
    public async Task suspension_resumes_to_the_stage_it_was_suspended_from_and_termination_is_final()
    {
        var id = Given.NewId("suspend");
        await ledger.Host.SignedAsync(id, "RU", "KP");
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "RU", amount = 10, currency = "RUB", occurredOn = "2024-03-01" }, 200);

        var suspended = await ledger.Host.PostAsync($"/agreements/{id}/suspension", new { reason = "sanctions", occurredOn = "2024-04-01" }, 200);
        var resumed = await ledger.Host.PostAsync($"/agreements/{id}/resumption", new { reason = "lifted", occurredOn = "2024-05-01" }, 200);
        var notSuspended = await ledger.Host.PostAsync($"/agreements/{id}/resumption", new { reason = "again", occurredOn = "2024-05-02" }, 409);
        await ledger.Host.PostAsync($"/agreements/{id}/suspension", new { reason = "again", occurredOn = "2024-06-01" }, 200);
        var terminated = await ledger.Host.PostAsync($"/agreements/{id}/termination", new { reason = "ended", occurredOn = "2024-06-02" }, 200);
        var afterFinal = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", occurredOn = "2024-06-03" }, 409);
        var withdraw = await ledger.Host.PostAsync($"/agreements/{id}/withdrawal", new { reason = "no", occurredOn = "2024-06-03" }, 409);

        Assert.Equal("Suspended", suspended["status"].GetString());
        Assert.Equal("Funded", resumed["status"].GetString());
        Assert.Contains("only while the agreement is Suspended", notSuspended["detail"].GetString());
        Assert.Equal("Terminated", terminated["status"].GetString());
        Assert.Contains("final", afterFinal["detail"].GetString());
        Assert.Equal("/problems/lifecycle-conflict", withdraw.ProblemType);
        Assert.Equal(8, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task withdrawal_ends_a_proposal_and_suspension_needs_a_signed_agreement()
    {
        var id = Given.NewId("withdraw");
        await ledger.Host.ProposedAsync(id, "EU", "KR");

        var early = await ledger.Host.PostAsync($"/agreements/{id}/suspension", new { reason = "pause" }, 409);
        var withdrawn = await ledger.Host.PostAsync($"/agreements/{id}/withdrawal", new { reason = "talks collapsed" }, 200);
        var terminate = await ledger.Host.PostAsync($"/agreements/{id}/termination", new { reason = "x" }, 409);

        Assert.Contains("only while the agreement is Signed, Funded or Delivered", early["detail"].GetString());
        Assert.Equal("Withdrawn", withdrawn["status"].GetString());
        Assert.Equal("/problems/lifecycle-conflict", terminate.ProblemType);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Theory]
    [InlineData("terms-agreed", "{\"summary\": 5}", "summary")]
    [InlineData("parties", "{\"party\": \"Japan\"}", "party")]
    [InlineData("parties", "{}", "party")]
    [InlineData("deliverables", "{\"name\": \"x\"}", "deliverableId")]
    [InlineData("deliverables", "{\"deliverableId\": \"-bad\", \"name\": \"x\"}", "deliverableId")]
    [InlineData("deliverables", "{\"deliverableId\": \"ok\"}", "name")]
    [InlineData("funding", "{\"funder\": \"JP\", \"amount\": -1, \"currency\": \"JPY\"}", "amount")]
    [InlineData("funding", "{\"funder\": \"JP\", \"amount\": 1.005, \"currency\": \"JPY\"}", "amount")]
    [InlineData("funding", "{\"funder\": \"JP\", \"amount\": \"10\", \"currency\": \"JPY\"}", "amount")]
    [InlineData("funding", "{\"funder\": \"JP\", \"amount\": 10, \"currency\": \"YEN\"}", "currency")]
    [InlineData("funding", "{\"amount\": 10, \"currency\": \"JPY\"}", "funder")]
    [InlineData("deliveries", "{}", "deliverableId")]
    [InlineData("targets", "{\"milestone\": \"Proposed\", \"targetDate\": \"2030-01-01\"}", "milestone")]
    [InlineData("targets", "{\"milestone\": \"Signed\"}", "targetDate")]
    [InlineData("sources", "{\"url\": \"https://x.org\"}", "publisher")]
    [InlineData("sources", "{\"publisher\": \"X\", \"url\": \"ftp://x.org\"}", "url")]
    [InlineData("amendments", "{}", "summary")]
    [InlineData("suspension", "{}", "reason")]
    [InlineData("resumption", "{\"reason\": \"  \"}", "reason")]
    [InlineData("termination", "{\"reason\": \"x\", \"occurredOn\": \"2999-01-01\"}", "occurredOn")]
    [InlineData("withdrawal", "{\"reason\": \"x\", \"reasons\": \"y\"}", "reasons")]
    public async Task rejects_invalid_command_bodies_with_400_naming_the_field_and_appends_nothing(string route, string body, string field)
    {
        var id = Given.NewId("invalid");
        await ledger.Host.SignedAsync(id, "JP");

        var answer = await ledger.Host.PostRawAsync($"/agreements/{id}/{route}", body, 400);

        Assert.Equal("/problems/validation", answer.ProblemType);
        Assert.True(answer["errors"].TryGetProperty(field, out _), answer.Text);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }
}
