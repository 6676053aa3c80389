using System.Globalization;
using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements;

/// <summary>
/// <c>asOf</c> and <c>version</c> answered from version checkpoints (ledger.agreement_checkpoints): kept by
/// the reads, used by later ones, and never a different answer than the events give, whether a
/// checkpoint is there, altered or gone.
/// </summary>
[Collection(TimeTravelCollection.Name)]
public sealed class TimeTravelCheckpointTests(ClockedLedgerHost ledger)
{
    private const string Checkpoints = "ledger.agreement_checkpoints";

    /// <summary>What a row's state_hash is: SHA-256 over its event hash, a zero byte and its state.</summary>
    private const string StateHash = "encode(sha256(convert_to(event_hash, 'UTF8') || '\\x00'::bytea || state), 'hex')";

    private static string Instant(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    /// <summary>
    /// 160 events, each recorded a minute after the previous: the proposal, signatures, citations on
    /// advancing days; a citation dated late at version 100; version 50 retracted at version 120. The
    /// points read: versions on both sides of the late fact and the retraction, and instants between events.
    /// </summary>
    private async Task<(string Id, string[] Points)> HistoryAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        var recorded = new List<DateTimeOffset>();
        async Task Record(Func<Task> command)
        {
            ledger.Clock.Advance(TimeSpan.FromMinutes(1));
            recorded.Add(ledger.Clock.GetUtcNow());
            await command();
        }

        await Record(() => ledger.Host.ProposedAsync(id, "JP", "GB"));
        await Record(() => ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200));
        await Record(() => ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200));
        while (recorded.Count < 160)
        {
            var version = recorded.Count + 1;
            object body = version switch
            {
                100 => new { publisher = "Late", occurredOn = "2024-02-03" },
                120 => new { version = 50, reason = "wrong source" },
                _ => new { publisher = $"Source {version}", occurredOn = new DateOnly(2024, 3, 1).AddDays(version / 2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            };
            await Record(() => ledger.Host.PostAsync($"/agreements/{id}/{(version == 120 ? "retractions" : "sources")}", body, 200));
        }

        string[] versions = [.. new[] { 1, 3, 50, 63, 64, 65, 99, 100, 101, 119, 120, 121, 150, 160 }.Select(v => $"version={v}")];
        string[] instants = [.. new[] { 10, 70, 110, 130, 159 }.Select(v => $"asOf={Instant(recorded[v - 1].AddSeconds(30))}")];
        return (id, [.. versions, .. instants]);
    }

    private async Task<List<string>> AnswersAsync(string id, string[] points)
    {
        var answers = new List<string>();
        foreach (var point in points)
        {
            var answer = await ledger.Host.GetAsync($"/agreements/{id}?{point}");
            answers.Add($"{point} {answer.ETag} {answer.Text}");
        }

        return answers;
    }

    private Task<long> KeptAsync(string id) => ledger.ScalarAsync<long>($"select count(*) from {Checkpoints} where agreement_id = $1", id);

    [Fact]
    public async Task reads_keep_checkpoints_and_later_reads_answer_the_same_from_them()
    {
        var (id, points) = await HistoryAsync("kept");
        Assert.Equal(0, await KeptAsync(id));

        var folded = await AnswersAsync(id, points);
        Assert.True(await KeptAsync(id) >= 2, "reads past 64 versions keep checkpoints");
        Assert.Equal(folded, await AnswersAsync(id, points));

        // Served from them: a row rewritten whole (state and its hash) is believed, as the snapshot is.
        await ledger.ExecuteAsync(
            $"update {Checkpoints} set state = convert_to(replace(convert_from(state, 'UTF8'), '\"title\":\"', '\"title\":\"kept '), 'UTF8') where agreement_id = $1", id);
        await ledger.ExecuteAsync($"update {Checkpoints} set state_hash = {StateHash} where agreement_id = $1", id);
        Assert.StartsWith("kept ", (await ledger.Host.GetAsync($"/agreements/{id}?version=160"))["title"].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_altered_foreign_or_missing_checkpoint_never_changes_an_answer()
    {
        var (id, points) = await HistoryAsync("altered");
        var folded = await AnswersAsync(id, points);
        var kept = await KeptAsync(id);

        // The state altered, its hash not: passed over, the events answer.
        await ledger.ExecuteAsync(
            $"update {Checkpoints} set state = convert_to(replace(convert_from(state, 'UTF8'), '\"title\":\"', '\"title\":\"altered '), 'UTF8') where agreement_id = $1", id);
        Assert.Equal(folded, await AnswersAsync(id, points));

        // Kept for another history (an event hash that is not the stored event's), however consistent.
        await ledger.ExecuteAsync(
            $"update {Checkpoints} set event_hash = 'another history', state = convert_to(replace(convert_from(state, 'UTF8'), '\"title\":\"', '\"title\":\"foreign '), 'UTF8') where agreement_id = $1", id);
        await ledger.ExecuteAsync($"update {Checkpoints} set state_hash = {StateHash} where agreement_id = $1", id);
        Assert.Equal(folded, await AnswersAsync(id, points));

        // Gone: folded from the events, and kept again.
        await ledger.ExecuteAsync($"delete from {Checkpoints} where agreement_id = $1", id);
        Assert.Equal(folded, await AnswersAsync(id, points));
        Assert.True(await KeptAsync(id) >= kept, "the reads keep them again");
        Assert.Equal(folded, await AnswersAsync(id, points));
    }

    [Fact]
    public async Task a_short_history_keeps_no_checkpoint_even_when_folded_from_its_events()
    {
        var id = Given.NewId("short");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-03-01" }, 200);
        // Dated before the round: the read folds from the events.
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);

        Assert.Equal("\"3\"", (await ledger.Host.GetAsync($"/agreements/{id}?version=3")).ETag);
        Assert.Equal("\"3\"", (await ledger.Host.GetAsync($"/agreements/{id}?asOf=2999-01-01T00:00:00Z")).ETag);
        Assert.Equal(0, await KeptAsync(id));
    }

    [Fact]
    public async Task rebuilding_the_snapshots_drops_the_checkpoints()
    {
        var (id, points) = await HistoryAsync("rebuilt");
        var folded = await AnswersAsync(id, points);
        Assert.True(await KeptAsync(id) > 0);

        await ledger.Host.Services.GetRequiredService<SnapshotRebuilder>().RebuildAsync(CancellationToken.None);

        Assert.Equal(0, await ledger.ScalarAsync<long>($"select count(*) from {Checkpoints}"));
        Assert.Equal(folded, await AnswersAsync(id, points));
    }
}
