using System.Globalization;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using Alba;

namespace AgreementLedger.IntegrationTests.Agreements.Correcting;

/// <summary><c>POST /agreements/{id}/corrections</c>: a retraction and its replacement in one transaction, judged together.</summary>
[Collection(CommandsCollection.Name)]
public sealed class CorrectionTests(LedgerHost ledger)
{
    /// <summary>Signed by JP and GB on 2024-02-01, funded on 2024-03-01: the signatures are versions 2 and 3.</summary>
    private async Task<string> FundedAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await ledger.Host.SignedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/funding", new { funder = "JP", amount = 10, currency = "JPY", occurredOn = "2024-03-01" }, 200);
        return id;
    }

    [Fact]
    public async Task re_dating_a_signature_that_later_funding_depends_on_is_one_correction_where_a_retraction_alone_is_refused()
    {
        var id = await FundedAsync("correct-sig");

        // Alone, the retraction would leave the funding before any complete signature: refused.
        var alone = await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 3, reason = "wrong date" }, 409);
        Assert.Contains("funding_committed", alone["detail"].GetString());

        var corrected = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 3,
            reason = "GB signed a day later than first reported",
            replacement = new { type = "party_signed", party = "GB", occurredOn = "2024-02-02", place = "London" },
        }, 200);

        Assert.Equal("Funded", corrected["status"].GetString());
        Assert.Equal(6, corrected["version"].GetInt64());
        Assert.Equal("\"6\"", corrected.ETag);
        Assert.Equal("2024-02-02", corrected["signedOn"].GetString());
        var gb = corrected["signatories"].EnumerateArray().Single(s => s.GetProperty("party").GetString() == "GB");
        Assert.Equal("2024-02-02", gb.GetProperty("signedOn").GetString());
        Assert.Equal("London", gb.GetProperty("place").GetString());

        var entries = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().ToDictionary(e => e.GetProperty("version").GetInt64());
        Assert.True(entries[3].GetProperty("retracted").GetBoolean());
        Assert.Equal("GB signed a day later than first reported", entries[3].GetProperty("retractionReason").GetString());
        Assert.Equal(6, entries[3].GetProperty("correctedBy").GetInt64());
        Assert.Equal("event_retracted", entries[5].GetProperty("type").GetString());
        Assert.Equal(3, entries[5].GetProperty("data").GetProperty("version").GetInt64());
        Assert.Equal("party_signed", entries[6].GetProperty("type").GetString());
        Assert.Equal(3, entries[6].GetProperty("data").GetProperty("corrects").GetInt64());
        Assert.Equal("2024-02-02", entries[6].GetProperty("data").GetProperty("occurredOn").GetString());
        Assert.False(entries[6].TryGetProperty("correctedBy", out var none) && none.ValueKind != JsonValueKind.Null);

        // Both events are in the hash chain, the replacement's data with its corrects member as stored.
        var previous = EventHash.Genesis;
        foreach (var entry in entries.OrderBy(e => e.Key).Select(e => e.Value))
        {
            var occurred = entry.GetProperty("occurredOn");
            var hash = EventHash.Compute(previous, new HashedEvent(
                entry.GetProperty("type").GetString()!, id, entry.GetProperty("version").GetInt64(),
                occurred.ValueKind == JsonValueKind.Null ? null : DateOnly.Parse(occurred.GetString()!, CultureInfo.InvariantCulture),
                entry.GetProperty("recordedAt").GetString()!, entry.GetProperty("recordedBy").GetString()!, entry.GetProperty("data")));
            Assert.Equal(hash, entry.GetProperty("hash").GetString());
            previous = hash;
        }

        // As of version 5 (the retraction alone) is a state no request could have been answered with, but the
        // versions exist: version 6 is the corrected state, version 4 the mistaken one.
        Assert.Equal("2024-02-01", (await ledger.Host.GetAsync($"/agreements/{id}?version=4"))["signedOn"].GetString());
        Assert.Equal("2024-02-02", (await ledger.Host.GetAsync($"/agreements/{id}?version=6"))["signedOn"].GetString());
    }

    [Fact]
    public async Task the_replacement_may_be_another_type_and_defaults_as_its_own_command_does()
    {
        var id = Given.NewId("correct-type");
        await ledger.Host.ProposedAsync(id, "EU", "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/terms-agreed", new { occurredOn = "2024-02-01" }, 200);

        var corrected = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 2,
            reason = "it was a round, not the agreed text",
            replacement = new { type = "negotiation_round_held", occurredOn = "2024-02-01", location = "Tokyo" },
        }, 200);

        Assert.Equal("Negotiating", corrected["status"].GetString());
        var replacement = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"].EnumerateArray().Single(e => e.GetProperty("version").GetInt64() == 4);
        var data = replacement.GetProperty("data");
        Assert.Equal("Tokyo", data.GetProperty("location").GetString());
        Assert.Equal(0, data.GetProperty("participants").GetArrayLength());
        Assert.Equal(2, data.GetProperty("corrects").GetInt64());
    }

    [Fact]
    public async Task a_correction_whose_corrected_history_is_invalid_is_409_naming_the_event_and_appends_nothing()
    {
        var id = await FundedAsync("correct-409");

        // GB's signature moved after the funding: the funding would come before the last signature.
        var late = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 3,
            reason = "x",
            replacement = new { type = "party_signed", party = "GB", occurredOn = "2024-04-01" },
        }, 409);
        Assert.Equal("/problems/lifecycle-conflict", late.ProblemType);
        Assert.Contains("event 4 (funding_committed)", late["detail"].GetString());

        var proposal = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 1, reason = "x", replacement = new { type = "agreement_amended", summary = "y" },
        }, 409);
        Assert.Contains("proposal", proposal["detail"].GetString());

        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", occurredOn = "2024-03-02" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 5, reason = "dup" }, 200);
        var retracted = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 5, reason = "x", replacement = new { type = "source_cited", publisher = "Kyodo" },
        }, 409);
        Assert.Contains("already retracted", retracted["detail"].GetString());
        var retraction = await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 6, reason = "x", replacement = new { type = "source_cited", publisher = "Kyodo" },
        }, 409);
        Assert.Contains("is a retraction", retraction["detail"].GetString());

        Assert.Equal(6, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task bad_input_is_400_naming_the_member_by_its_path_and_appends_nothing()
    {
        var id = await FundedAsync("correct-400");
        var url = $"/agreements/{id}/corrections";

        var missing = await ledger.Host.PostAsync(url, new { version = 99, reason = "x", replacement = new { type = "agreement_amended", summary = "y" } }, 400);
        Assert.True(missing["errors"].TryGetProperty("version", out _));

        var noReplacement = await ledger.Host.PostAsync(url, new { version = 3, reason = "x" }, 400);
        Assert.True(noReplacement["errors"].TryGetProperty("replacement", out _));

        var noType = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { party = "GB" } }, 400);
        Assert.Contains("party_signed", noType["errors"].GetProperty("replacement.type")[0].GetString());

        var proposal = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { type = "agreement_proposed", title = "t" } }, 400);
        Assert.True(proposal["errors"].TryGetProperty("replacement.type", out _));

        var typo = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { type = "party_signed", party = "GB", occuredOn = "2024-02-02" } }, 400);
        Assert.Contains("not a known member", typo["errors"].GetProperty("replacement.occuredOn")[0].GetString());

        var badParty = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { type = "party_signed", party = "gb" } }, 400);
        Assert.True(badParty["errors"].TryGetProperty("replacement.party", out _));

        var future = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { type = "party_signed", party = "GB", occurredOn = "2999-01-01" } }, 400);
        Assert.True(future["errors"].TryGetProperty("replacement.occurredOn", out _));

        var beforeProposal = await ledger.Host.PostAsync(url, new { version = 3, reason = "x", replacement = new { type = "party_signed", party = "GB", occurredOn = "2020-01-01" } }, 400);
        Assert.True(beforeProposal["errors"].TryGetProperty("replacement.occurredOn", out _));

        var notObject = await ledger.Host.PostRawAsync(url, """{"version":3,"reason":"x","replacement":"party_signed"}""", 400);
        Assert.True(notObject["errors"].TryGetProperty("replacement", out _));

        var twice = await ledger.Host.PostRawAsync(url, """{"version":3,"reason":"x","replacement":{"type":"party_signed","type":"agreement_amended","party":"GB"}}""", 400);
        Assert.True(twice["errors"].TryGetProperty("replacement.type", out _));

        Assert.Equal(4, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task one_if_match_and_one_idempotency_key_cover_both_events()
    {
        var id = await FundedAsync("correct-keys");
        var body = new { version = 3, reason = "re-dated", replacement = new { type = "party_signed", party = "GB", occurredOn = "2024-02-02" } };

        var stale = await ledger.Host.PostAsync($"/agreements/{id}/corrections", body, 412, s => s.WithRequestHeader("If-Match", "\"3\""));
        Assert.Equal("\"4\"", stale.ETag);
        Assert.Equal(4, await ledger.EventCountAsync(id));

        var key = Guid.NewGuid().ToString();
        var first = await ledger.Host.PostAsync($"/agreements/{id}/corrections", body, 200, s =>
        {
            s.WithRequestHeader("If-Match", "\"4\"");
            s.WithRequestHeader("Idempotency-Key", key);
        });
        var again = await ledger.Host.PostAsync($"/agreements/{id}/corrections", body, 200, s => s.WithRequestHeader("Idempotency-Key", key));

        Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal("\"6\"", again.ETag);
        Assert.Equal(6, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task the_feed_serves_both_events_in_order()
    {
        var id = await FundedAsync("correct-feed");
        var before = (await ledger.Host.GetAsync("/events?limit=1000"))["next"].GetInt64();

        await ledger.Host.PostAsync($"/agreements/{id}/corrections", new
        {
            version = 2, reason = "JP signed in Tokyo", replacement = new { type = "party_signed", party = "JP", occurredOn = "2024-02-01", place = "Tokyo" },
        }, 200);

        var page = await ledger.Host.GetAsync($"/events?after={before}&limit=1000");
        var mine = page["events"].EnumerateArray().Where(e => e.GetProperty("agreementId").GetString() == id).ToList();
        Assert.Equal(["event_retracted", "party_signed"], mine.Select(e => e.GetProperty("type").GetString()));
        Assert.True(mine[0].GetProperty("position").GetInt64() < mine[1].GetProperty("position").GetInt64());
        Assert.Equal([5L, 6L], mine.Select(e => e.GetProperty("version").GetInt64()));
    }
}
