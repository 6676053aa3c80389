using Alba;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Agreements.TreatyLaw;

/// <summary>The five treaty-law commands through HTTP (docs/api.md "Treaty law"): the status table, both clocks, refusals.</summary>
[Collection(CommandsCollection.Name)]
public sealed class TreatyLawTests(LedgerHost ledger)
{
    /// <summary>A treaty of JP, GB and IT proposed on 2024-01-10 and signed by all three on 2024-02-01 (versions 2–4).</summary>
    private async Task<string> SignedTreatyAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await ledger.Host.SignedAsync(id, "JP", "GB", "IT");
        return id;
    }

    [Fact]
    public async Task consents_an_entry_into_force_for_those_that_consented_and_a_later_withdrawal_make_the_status_table()
    {
        var id = await SignedTreatyAsync("treaty");
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01", depositary = "Government of Japan" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "IT", instrument = "ratification", occurredOn = "2024-03-05" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/provisional-application", new { party = "GB", occurredOn = "2024-03-02" }, 200);

        var entered = await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-04-01" }, 200);
        Assert.True(entered["inForce"].GetBoolean());
        Assert.Equal("2024-04-01", entered["inForceOn"].GetString());
        Assert.Equal("Signed", entered["status"].GetString());

        // GB ratifies later: not in force until an entry into force of its own.
        var gb = await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "GB", instrument = "acceptance", occurredOn = "2024-03-20" }, 200);
        var rows = gb["participation"].EnumerateArray().ToDictionary(p => p.GetProperty("party").GetString()!);
        Assert.Equal(["JP", "GB", "IT"], gb["participation"].EnumerateArray().Select(p => p.GetProperty("party").GetString()));
        Assert.Equal("2024-04-01", rows["JP"].GetProperty("inForceOn").GetString());
        Assert.Equal("2024-04-01", rows["IT"].GetProperty("inForceOn").GetString());
        Assert.False(rows["GB"].TryGetProperty("inForceOn", out _));
        Assert.Equal(("acceptance", "2024-03-20"), (rows["GB"].GetProperty("consent").GetProperty("instrument").GetString(), rows["GB"].GetProperty("consent").GetProperty("on").GetString()));
        Assert.Equal("2024-03-02", rows["GB"].GetProperty("provisionalFrom").GetString());
        Assert.Equal("2024-02-01", rows["GB"].GetProperty("signedOn").GetString());

        var stored = await ledger.Host.GetAsync($"/agreements/{id}/timeline");
        var entry = stored["entries"].EnumerateArray().Single(e => e.GetProperty("type").GetString() == "entered_into_force");
        Assert.Equal(["JP", "IT"], entry.GetProperty("data").GetProperty("parties").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("entered into force for JP, IT", entry.GetProperty("summary").GetString());
        Assert.Contains(stored["entries"].EnumerateArray(), e => e.GetProperty("summary").GetString() == "IT ratified");
        Assert.Contains(stored["entries"].EnumerateArray(), e => e.GetProperty("summary").GetString() == "JP ratified (deposited with Government of Japan)");

        await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-05-01", parties = new[] { "GB" } }, 200);

        // JP withdraws in 2024, taking effect in 2025: in force for JP until then, in effect time as well as now.
        var withdrew = await ledger.Host.PostAsync($"/agreements/{id}/denunciations", new { party = "JP", occurredOn = "2024-06-01", effectiveOn = "2025-06-01" }, 200);
        var jp = withdrew["participation"].EnumerateArray().Single(p => p.GetProperty("party").GetString() == "JP");
        Assert.Equal(("2024-06-01", "2025-06-01"), (jp.GetProperty("withdrawnOn").GetString(), jp.GetProperty("withdrawalEffectiveOn").GetString()));
        Assert.False((await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-03-31"))["inForce"].GetBoolean());
        Assert.True((await ledger.Host.GetAsync($"/agreements/{id}?effectiveOn=2024-04-01"))["inForce"].GetBoolean());
        var timeline = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray();
        Assert.Contains(timeline, e => e.GetProperty("summary").GetString() == "JP withdrew, taking effect on 2025-06-01");
    }

    [Fact]
    public async Task the_portfolio_shows_the_party_s_consent_and_whether_it_is_in_force_and_the_list_filters_by_in_force()
    {
        var party = Given.NewParty();
        var inForce = Given.NewId("treaty-pf");
        await ledger.Host.SignedAsync(inForce, party, "GB");
        await ledger.Host.PostAsync($"/agreements/{inForce}/consents", new { party, instrument = "approval", occurredOn = "2024-03-01" }, 200);
        var before = (await ledger.Host.GetAsync($"/agreements/{inForce}"))["lastRecordedAt"].GetString()!;
        await ledger.Host.PostAsync($"/agreements/{inForce}/entry-into-force", new { occurredOn = "2024-04-01" }, 200);
        var notYet = Given.NewId("treaty-pg");
        await ledger.Host.SignedAsync(notYet, party, "GB");

        var portfolio = (await ledger.Host.GetAsync($"/parties/{party}/agreements"))["agreements"].EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!);
        Assert.True(portfolio[inForce].GetProperty("inForce").GetBoolean());
        Assert.Equal(("approval", "2024-03-01"), (portfolio[inForce].GetProperty("consent").GetProperty("instrument").GetString(), portfolio[inForce].GetProperty("consent").GetProperty("on").GetString()));
        Assert.False(portfolio[notYet].GetProperty("inForce").GetBoolean());
        Assert.False(portfolio[notYet].TryGetProperty("consent", out _));

        // As known before the entry into force was recorded: consented, not in force.
        var then = (await ledger.Host.GetAsync($"/parties/{party}/agreements?asOf={Uri.EscapeDataString(before)}"))["agreements"].EnumerateArray().Single(a => a.GetProperty("id").GetString() == inForce);
        Assert.False(then.GetProperty("inForce").GetBoolean());
        Assert.Equal("approval", then.GetProperty("consent").GetProperty("instrument").GetString());

        Assert.Equal([inForce], (await ledger.Host.GetAsync($"/agreements?party={party}&inForce=true"))["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal([notYet], (await ledger.Host.GetAsync($"/agreements?party={party}&inForce=false"))["items"].EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Empty((await ledger.Host.GetAsync($"/agreements?party={party}&inForce=true&effectiveOn=2024-03-31"))["items"].EnumerateArray());
        Assert.True((await ledger.Host.GetAsync("/agreements?inForce=yes", 400))["errors"].TryGetProperty("inForce", out _));
    }

    [Fact]
    public async Task reservations_refer_to_ones_that_stand_and_a_definitive_signature_is_a_signature_and_a_consent()
    {
        var id = Given.NewId("treaty-res");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var reserved = await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "GB", kind = "reservation", text = "Article 5 does not apply to overseas territories.", occurredOn = "2024-01-20" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "objection", text = "Incompatible with the object of the treaty.", refersTo = 2, occurredOn = "2024-01-21" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "GB", kind = "withdrawal", text = "Withdrawn.", refersTo = 2, occurredOn = "2024-01-22" }, 200);
        var again = await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "objection", text = "Again.", refersTo = 2, occurredOn = "2024-01-23" }, 409);
        Assert.Contains("Event 2 is not a reservation", again["detail"].GetString());
        Assert.Equal(2, reserved["version"].GetInt64());

        var signed = await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "definitive-signature", occurredOn = "2024-02-01", place = "Tokyo" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);
        var details = await ledger.Host.GetAsync($"/agreements/{id}");
        Assert.Equal("Signed", details["status"].GetString());
        Assert.Equal(["JP", "GB"], details["signatories"].EnumerateArray().Select(s => s.GetProperty("party").GetString()));
        var gb = details["participation"].EnumerateArray().Single(p => p.GetProperty("party").GetString() == "GB");
        Assert.Equal([2L, 4L], gb.GetProperty("reservations").EnumerateArray().Select(r => r.GetProperty("version").GetInt64()));
        Assert.Equal(2, gb.GetProperty("reservations")[1].GetProperty("refersTo").GetInt64());
        Assert.Contains("Tokyo", signed["signatories"][0].GetProperty("place").GetString());

        // Accession once signed adds the party.
        var acceded = await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "KR", instrument = "accession", occurredOn = "2024-03-01" }, 200);
        Assert.Equal(["JP", "GB", "KR"], acceded["parties"].EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task refusals_are_409_naming_the_event_or_400_for_bad_input_and_append_nothing()
    {
        var id = await SignedTreatyAsync("treaty-no");

        var notConsented = await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-04-01", parties = new[] { "JP" } }, 409);
        Assert.Equal("/problems/lifecycle-conflict", notConsented.ProblemType);
        Assert.Contains("JP has not consented", notConsented["detail"].GetString());
        Assert.Contains("nothing to enter into force", (await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-04-01" }, 409))["detail"].GetString());
        Assert.Contains("JP has not consented", (await ledger.Host.PostAsync($"/agreements/{id}/denunciations", new { party = "JP", occurredOn = "2024-04-01" }, 409))["detail"].GetString());
        Assert.Contains("KR has not signed", (await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "KR", instrument = "ratification", occurredOn = "2024-04-01" }, 409))["detail"].GetString());
        // A ratification dated before the signature it needs.
        Assert.Contains("JP has not signed", (await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-01-20" }, 409))["detail"].GetString());

        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratify" }, 400))["errors"].TryGetProperty("instrument", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "jp", instrument = "ratification" }, 400))["errors"].TryGetProperty("party", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "objection", text = "x" }, 400))["errors"].TryGetProperty("refersTo", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/reservations", new { party = "JP", kind = "reservation", text = "x", refersTo = 99 }, 400))["errors"].TryGetProperty("refersTo", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/denunciations", new { party = "JP", occurredOn = "2024-04-01", effectiveOn = "2024-03-01" }, 400))["errors"].TryGetProperty("effectiveOn", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { parties = new[] { "JP", "JP" } }, 400))["errors"].TryGetProperty("parties[1]", out _));
        Assert.True((await ledger.Host.PostAsync($"/agreements/{id}/provisional-application", new { party = "JP", occurredOn = "2999-01-01" }, 400))["errors"].TryGetProperty("occurredOn", out _));
        await ledger.Host.PostAsync("/agreements/no-such-treaty/consents", new { party = "JP", instrument = "ratification" }, 404);

        Assert.Equal(4, await ledger.EventCountAsync(id));

        // If-Match and Idempotency-Key as on every command.
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01" }, 412, s => s.WithRequestHeader("If-Match", "\"3\""));
        var key = Guid.NewGuid().ToString();
        var first = await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01" }, 200, s =>
        {
            s.WithRequestHeader("If-Match", "\"4\"");
            s.WithRequestHeader("Idempotency-Key", key);
        });
        var replayed = await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01" }, 200, s => s.WithRequestHeader("Idempotency-Key", key));
        Assert.Equal("true", replayed.Headers["Idempotent-Replayed"]);
        Assert.Equal(first.Text, replayed.Text);
        Assert.Equal(5, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_consent_can_be_retracted_unless_an_entry_into_force_depends_on_it_and_corrected_to_another_date()
    {
        var id = await SignedTreatyAsync("treaty-fix");
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-04-01" }, 200);

        Assert.Contains("entered_into_force", (await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 5, reason = "x" }, 409))["detail"].GetString());
        var corrected = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 5, reason = "Deposited a week later.", replacement = new { type = "consent_expressed", party = "JP", instrument = "ratification", occurredOn = "2024-03-08" },
        }, 200);
        var jp = corrected["participation"][0];
        Assert.Equal("2024-03-08", jp.GetProperty("consent").GetProperty("on").GetString());
        Assert.Equal("2024-04-01", jp.GetProperty("inForceOn").GetString());

        var feed = await ledger.Host.GetAsync("/events?types=consent_expressed,entered_into_force&limit=1000");
        Assert.Contains(feed["events"].EnumerateArray(), e => e.GetProperty("agreementId").GetString() == id && e.GetProperty("type").GetString() == "entered_into_force");
    }
}
