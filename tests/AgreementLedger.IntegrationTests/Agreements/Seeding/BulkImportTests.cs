using AgreementLedger.Agreements;
using AgreementLedger.IntegrationTests.Operations;
using AgreementLedger.IntegrationTests.Progress;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Progress;
using AgreementLedger.Agreements.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Agreements.Seeding;

[CollectionDefinition(Name)]
public sealed class BulkImportCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "bulk-import";
}

/// <summary>The COPY-based importer (seed data, migrations): the same ledger as commands would write, or nothing.</summary>
[Collection(BulkImportCollection.Name)]
public sealed class BulkImportTests(LedgerHost ledger)
{
    private static readonly DateOnly Day = new(2024, 1, 10);

    private BulkImporter Importer => ledger.Host.Services.GetRequiredService<BulkImporter>();

    private static AgreementHistory Signed(string id, int citations) => new(id,
    [
        new AgreementProposed(id, "Imported " + id, "treaty", ["JP", "GB"], ["defence-industry"], null, Day, []),
        new PartySigned("JP", Day.AddDays(1), null, null),
        new PartySigned("GB", Day.AddDays(2), null, null),
        .. Enumerable.Range(0, citations).Select(i => (IAgreementEvent)new SourceCited("Reuters", $"https://example.org/{i}", Day, null, Day)),
    ]);

    [Fact]
    public async Task imported_agreements_read_verify_feed_and_take_commands_like_recorded_ones()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => Given.NewId("import")).ToArray();
        // The collection's ledger may hold many events already (the long commands' tests): read the feed from here.
        var before = await ledger.ScalarAsync<long>("select coalesce(max(seq_id), 0) from ledger.mt_events");
        var written = await Importer.ImportAsync([.. ids.Select((id, i) => Signed(id, i))], "importer", CancellationToken.None);
        Assert.Equal(3 + 4 + 5, written);

        var details = await ledger.Host.GetAsync($"/agreements/{ids[2]}");
        Assert.Equal("Signed", details["status"].GetString());
        Assert.Equal(5, details["version"].GetInt64());
        Assert.Equal("\"5\"", details.ETag);

        var timeline = await ledger.Host.GetAsync($"/agreements/{ids[2]}/timeline");
        Assert.All(timeline["entries"].EnumerateArray(), e => Assert.Equal("importer", e.GetProperty("recordedBy").GetString()));

        var verified = await ledger.Host.GetAsync($"/audit/verify?agreementId={ids[2]}");
        Assert.True(verified["verified"].GetBoolean(), verified.Text);

        // The stream version, the snapshot and the hash chain line up for the next command.
        await ledger.Host.PostAsync($"/agreements/{ids[2]}/funding", new { funder = "EU", amount = 5, currency = "EUR", occurredOn = "2024-02-01" }, 200,
            s => s.WithRequestHeader("If-Match", "\"5\""));
        var after = await ledger.Host.GetAsync($"/audit/verify?agreementId={ids[2]}");
        Assert.True(after["verified"].GetBoolean(), after.Text);
        Assert.Equal("Funded", (await ledger.Host.GetAsync($"/agreements/{ids[2]}"))["status"].GetString());

        // The feed serves an event once it is in the Merkle tree (docs/api.md): a follower reads until it has them.
        System.Text.Json.JsonElement[] mine = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(15); mine.Length < 4 && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var feed = await ledger.Host.GetAsync($"/events?after={before}&limit=1000");
            mine = [.. feed["events"].EnumerateArray().Where(e => e.GetProperty("agreementId").GetString() == ids[1])];
        }

        Assert.Equal([1L, 2L, 3L, 4L], mine.Select(e => e.GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task an_invalid_history_or_an_existing_id_imports_nothing()
    {
        var before = await ledger.TotalEventsAsync();
        var good = Given.NewId("import");
        var brokenId = Given.NewId("import");
        var broken = new AgreementHistory(brokenId,
        [
            new AgreementProposed(brokenId, "Broken", "treaty", ["JP"], [], null, Day, []),
            new FundingCommitted("EU", 1, "EUR", null, Day), // funding before any signature
        ]);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Importer.ImportAsync([Signed(good, 1), broken], "importer", CancellationToken.None));
        Assert.Contains("event 2", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ledger.TotalEventsAsync());
        await ledger.Host.GetAsync($"/agreements/{good}", 404);

        var existing = Given.NewId("import");
        await ledger.Host.ProposedAsync(existing, "JP");
        before = await ledger.TotalEventsAsync();
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Importer.ImportAsync([Signed(good, 1), Signed(existing, 1)], "importer", CancellationToken.None));
        Assert.Equal(before, await ledger.TotalEventsAsync());
        await ledger.Host.GetAsync($"/agreements/{good}", 404);
    }

    /// <summary>A refusal late in a long import leaves nothing; the import that follows is whole and in the given order.</summary>
    [Fact]
    public async Task a_refusal_late_in_a_long_import_leaves_nothing_and_a_long_import_is_whole_and_in_order()
    {
        var before = await ledger.TotalEventsAsync();
        var ids = Enumerable.Range(0, 300).Select(_ => Given.NewId("chunked")).ToArray();
        var histories = ids.Select((id, i) => Signed(id, i % 4)).ToList();
        histories[250] = new AgreementHistory(ids[250],
        [
            new AgreementProposed(ids[250], "Broken", "treaty", ["JP"], [], null, Day, []),
            new FundingCommitted("EU", 1, "EUR", null, Day),
        ]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Importer.ImportAsync(histories, "importer", CancellationToken.None));
        Assert.Contains(ids[250], refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ledger.TotalEventsAsync());
        await ledger.Host.GetAsync($"/agreements/{ids[0]}", 404);

        histories[250] = Signed(ids[250], 1);
        var written = await Importer.ImportAsync(histories, "importer", CancellationToken.None);

        Assert.Equal(histories.Sum(h => h.Events.Count), written);
        Assert.Equal(before + written, await ledger.TotalEventsAsync());
        foreach (var id in new[] { ids[0], ids[63], ids[64], ids[250], ids[299] })
        {
            var verified = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
            Assert.True(verified["verified"].GetBoolean(), verified.Text);
            Assert.Equal("Signed", (await ledger.Host.GetAsync($"/agreements/{id}"))["status"].GetString());
        }

        // Positions follow the given order: every event of an earlier history comes before the next history's.
        var positions = await ledger.ScalarAsync<long[]>(
            "select array_agg(seq_id order by array_position($1, stream_id), version) from ledger.mt_events where stream_id = any($1)", (object)ids);
        Assert.Equal(positions.Order(), positions);
    }

    /// <summary>
    /// The bulk import under <c>seed</c> (#16 point 6): two steps, the events checked and hashed, then
    /// written, each shown as lines every interval (here 10 ms) or as a bar redrawn on a terminal,
    /// and ended by its summary. 10,000 events each way.
    /// </summary>
    [Fact]
    public async Task a_long_import_shows_its_checking_and_writing_steps_as_lines_or_as_a_redrawn_bar()
    {
        var histories = LargeLedgerHost.Histories("progress", 500, 40);
        using var log = new StringWriter();
        using var screen = new StringWriter();

        using (var lines = new ConsoleProgress("import", log, bar: false, TimeSpan.FromMilliseconds(10), TimeProvider.System))
        {
            await Importer.ImportAsync(histories[..250], "importer", CancellationToken.None, lines);
        }

        using (var bar = new ConsoleProgress("import", screen, bar: true, ProgressOptions.DefaultInterval, TimeProvider.System))
        {
            await Importer.ImportAsync(histories[250..], "importer", CancellationToken.None, bar);
        }

        foreach (var step in new[] { "checking", "writing" })
        {
            ProgressOutput.AssertLines(log.ToString(), "import " + step, 10_000);
            Assert.Matches(ProgressOutput.Summary("import " + step, 10_000), log.ToString());
            ProgressOutput.AssertFrames(screen.ToString(), step, "10,000 events", ProgressOutput.Summary("import " + step, 10_000), atLeast: 1);
        }
    }

    public static TheoryData<string, string> UncheckedStarts => new()
    {
        { "a history that does not start with a proposal", "must start with agreement_proposed" },
        { "a proposal that names another agreement", "names another agreement" },
        { "an id that is not a slug", "must be a slug" },
        { "an event dated before the proposal", "before the proposal" },
        { "no events at all", "must start with agreement_proposed" },
    };

    [Theory]
    [MemberData(nameof(UncheckedStarts))]
    public async Task a_history_is_checked_from_its_first_event_and_a_bad_start_imports_nothing(string what, string reason)
    {
        var good = Given.NewId("import");
        var id = Given.NewId("import");
        AgreementHistory history = what switch
        {
            "a history that does not start with a proposal" => new(id, [new PartySigned("JP", Day, null, null)]),
            "a proposal that names another agreement" => new(id, [new AgreementProposed(good, "Other", "treaty", ["JP"], [], null, Day, [])]),
            "an id that is not a slug" => new(id + "\n", [new AgreementProposed(id + "\n", "Bad id", "treaty", ["JP"], [], null, Day, [])]),
            "an event dated before the proposal" => new(id,
                [new AgreementProposed(id, "Early", "treaty", ["JP"], [], null, Day, []), new NegotiationRoundHeld(Day.AddDays(-1), null, [], null)]),
            _ => new(id, []),
        };
        var before = await ledger.TotalEventsAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Importer.ImportAsync([Signed(good, 1), history], "importer", CancellationToken.None));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ledger.TotalEventsAsync());
        await ledger.Host.GetAsync($"/agreements/{good}", 404);
    }
}
