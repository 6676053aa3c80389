using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Audit.Verifying;

/// <summary>Tampering straight in PostgreSQL, as someone with database access but not the service would.</summary>
[Collection(AuditCollection.Name)]
public sealed class VerifyTests(LedgerHost ledger)
{
    /// <summary>An agreement of three events: proposal, JP's signature (version 2), a source (version 3).</summary>
    private async Task<string> ThreeEventsAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01", place = "Tokyo" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei", occurredOn = "2024-02-02" }, 200);
        return id;
    }

    private async Task<Answer> VerifyAsync(string id) => await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");

    private static (long Version, string Reason)[] Failures(Answer report) =>
        [.. report["failures"].EnumerateArray().Select(f => (f.GetProperty("version").GetInt64(), f.GetProperty("reason").GetString()!))];

    [Fact]
    public async Task an_untouched_agreement_verifies()
    {
        var id = await ThreeEventsAsync("untouched");

        var report = await VerifyAsync(id);

        Assert.True(report["verified"].GetBoolean(), report.Text);
        Assert.Equal(1, report["streamsChecked"].GetInt64());
        Assert.Equal(3, report["eventsChecked"].GetInt64());
        Assert.Empty(report["failures"].EnumerateArray());
    }

    [Theory]
    [InlineData("data = jsonb_set(data, '{place}', '\"Osaka\"')")]
    [InlineData("type = 'party_joined'")]
    [InlineData("data = jsonb_set(data, '{occurredOn}', '\"2024-02-03\"')")]
    [InlineData("timestamp = timestamp + interval '1 microsecond'")]
    [InlineData("user_name = 'mallory'")]
    public async Task an_altered_event_is_detected_at_its_version(string change)
    {
        var id = await ThreeEventsAsync("altered");

        await ledger.ExecuteAsync($"update ledger.mt_events set {change} where stream_id = $1 and version = 2", id);
        var report = await VerifyAsync(id);

        Assert.False(report["verified"].GetBoolean());
        var failure = Assert.Single(Failures(report));
        Assert.Equal(2, failure.Version);
        Assert.Contains("altered", failure.Reason);
        Assert.Equal(id, report["failures"][0].GetProperty("agreementId").GetString());
    }

    [Fact]
    public async Task a_deleted_event_in_the_middle_is_detected()
    {
        var id = await ThreeEventsAsync("deletedmiddle");

        await ledger.ExecuteAsync("delete from ledger.mt_events where stream_id = $1 and version = 2", id);
        var failures = Failures(await VerifyAsync(id));

        Assert.Contains(failures, f => f.Version == 2 && f.Reason.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Version == 3 && f.Reason.Contains("previousHash", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_deleted_newest_event_is_detected_against_the_stream_record()
    {
        var id = await ThreeEventsAsync("deletednewest");

        await ledger.ExecuteAsync("delete from ledger.mt_events where stream_id = $1 and version = 3", id);
        var failure = Assert.Single(Failures(await VerifyAsync(id)));

        Assert.Equal(3, failure.Version);
        Assert.Contains("newest events were removed", failure.Reason);
    }

    [Fact]
    public async Task swapped_versions_are_detected()
    {
        var id = await ThreeEventsAsync("swapped");

        await ledger.ExecuteAsync("update ledger.mt_events set version = -2 where stream_id = $1 and version = 2", id);
        await ledger.ExecuteAsync("update ledger.mt_events set version = 2 where stream_id = $1 and version = 3", id);
        await ledger.ExecuteAsync("update ledger.mt_events set version = 3 where stream_id = $1 and version = -2", id);
        var failures = Failures(await VerifyAsync(id));

        Assert.Contains(failures, f => f.Version == 2);
        Assert.Contains(failures, f => f.Version == 3);
    }

    [Fact]
    public async Task a_forged_event_is_detected()
    {
        var id = await ThreeEventsAsync("forged");

        await ledger.ExecuteAsync(
            "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
            "select nextval('ledger.mt_events_sequence'), gen_random_uuid(), stream_id, 4, jsonb_set(data, '{publisher}', '\"Forged\"'), type, timestamp, tenant_id, mt_dotnet_type, headers, user_name " +
            "from ledger.mt_events where stream_id = $1 and version = 3", id);
        var failures = Failures(await VerifyAsync(id));

        Assert.Contains(failures, f => f.Version == 4);
    }

    [Fact]
    public async Task the_whole_ledger_is_checked_without_an_agreement_id()
    {
        var id = await ThreeEventsAsync("whole");
        var before = await ledger.Host.GetAsync("/audit/verify");

        Assert.True(before["streamsChecked"].GetInt64() >= 1);
        Assert.True(before["eventsChecked"].GetInt64() >= 3);
        await ledger.Host.GetAsync("/audit/verify?agreementId=Not_A_Slug", 400);
        await ledger.Host.GetAsync($"/audit/verify?agreementId={Given.NewId("nosuch")}", 404);
        Assert.True((await VerifyAsync(id))["verified"].GetBoolean());
    }
}
