using System.Text.RegularExpressions;
using AgreementLedger.Agreements;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Agreements.Seeding;
using Microsoft.Extensions.DependencyInjection;
using static AgreementLedger.IntegrationTests.Support.ProgressOutput;

namespace AgreementLedger.IntegrationTests.Progress;

/// <summary>
/// A ledger large enough that each long command works for a second or more, bulk-imported once:
/// 1,000 agreements of 40 events. Integration events are off, so that no relay works through them
/// beside the commands under test.
/// </summary>
public sealed class LargeLedgerHost : LedgerHost
{
    public const int Agreements = 1_000;
    public const int EventsEach = 40;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Host.Services.GetRequiredService<BulkImporter>().ImportAsync(Histories("large", Agreements, EventsEach), "large", CancellationToken.None);
    }

    /// <summary>Signed agreements, each with source citations up to <paramref name="eventsEach"/> events.</summary>
    public static List<AgreementHistory> Histories(string prefix, int agreements, int eventsEach)
    {
        var day = new DateOnly(2024, 1, 10);
        return [.. Enumerable.Range(0, agreements).Select(a =>
        {
            var id = Given.NewId(prefix);
            var events = new List<IAgreementEvent>
            {
                new AgreementProposed(id, "Large " + id, "partnership", ["JP", "GB"], ["defence-industry"], "A history of many citations", day, []),
                new PartySigned("JP", day.AddDays(1), null, null),
                new PartySigned("GB", day.AddDays(2), null, null),
            };
            while (events.Count < eventsEach)
            {
                events.Add(new SourceCited("Reuters", $"https://example.org/{id}/{events.Count}", day, null, day.AddDays(3)));
            }

            return new AgreementHistory(id, events);
        })];
    }
}

[CollectionDefinition(Name)]
public sealed class ProgressCollection : ICollectionFixture<LargeLedgerHost>
{
    public const string Name = "progress";
}

/// <summary>
/// The long commands show their progress on standard error (#16 point 6), run as their own
/// processes: with standard error redirected, a plain line every <c>--progress-interval</c> (here a
/// tenth of a second, so that a command of a second writes several) and a summary; on a
/// pseudo-terminal, one line redrawn with <c>\r</c> and ended by the summary. Standard output stays
/// the command's own.
/// </summary>
[Collection(ProgressCollection.Name)]
public sealed partial class ProgressTests(LargeLedgerHost ledger) : IDisposable
{
    private const string Interval = "0.1";

    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-progress-").FullName;

    [Fact]
    public async Task export_and_verify_export_write_progress_lines_to_redirected_standard_error_and_keep_standard_output_the_export()
    {
        var events = await ledger.TotalEventsAsync();

        var (exported, output, exportLog) = await ServiceCommand.RunAsync(Environment(), "export", "--progress-interval", Interval);
        var file = Path.Combine(_folder, "ledger.ndjson");
        await File.WriteAllTextAsync(file, output);
        var (verified, report, verifyLog) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", await PublicKeyAsync(), "--progress-interval", Interval);

        Assert.True(exported == 0, exportLog);
        // Nothing but the export on standard output: every line a record, the last the checkpoint after the digest.
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.StartsWith("{\"record\":", l, StringComparison.Ordinal));
        Assert.Equal(events, lines.Count(l => l.StartsWith("{\"record\":\"event\"", StringComparison.Ordinal)));
        AssertLines(exportLog, "export", events);
        Assert.Matches(Summary("export", events), exportLog);

        Assert.True(verified == 0, report + verifyLog);
        Assert.StartsWith("VERIFIED", report, StringComparison.Ordinal);
        // verify-export reads the file twice: the reader ahead scans to the kept digests after the events, then the events are checked.
        Assert.Matches($@"(?m)^verify-export scanning: [\d.]+(/[\d.]+)? [KMG]?i?B(?: \(\d+%\))? in ", verifyLog);
        AssertByteLines(verifyLog, "verify-export checking", new FileInfo(file).Length);
        Assert.Matches($@"(?m)^verify-export checking: {Regex.Escape(Size(new FileInfo(file).Length))} in \d+\.\d s \([\d.]+ [KMG]?i?B/s\)$", verifyLog);
    }

    [Fact]
    public async Task export_and_verify_export_redraw_a_bar_on_a_terminal()
    {
        var events = await ledger.TotalEventsAsync();
        var file = Path.Combine(_folder, "terminal.ndjson");

        var (exported, exportScreen, _) = await ServiceCommand.RunInTerminalAsync(Environment(), "export", "--out", file);
        var (verified, verifyScreen, _) = await ServiceCommand.RunInTerminalAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", await PublicKeyAsync());

        Assert.True(exported == 0, exportScreen);
        AssertFrames(exportScreen, "export", $"{Count(events)} events", Summary("export", events));
        Assert.True(verified == 0, verifyScreen);
        Assert.Contains("VERIFIED", verifyScreen, StringComparison.Ordinal);
        AssertFrames(verifyScreen, "checking", Size(new FileInfo(file).Length), new Regex($@"^verify-export checking: {Regex.Escape(Size(new FileInfo(file).Length))} in "));
    }

    [Fact]
    public async Task rebuild_snapshots_writes_progress_lines_to_redirected_standard_error_and_redraws_a_bar_on_a_terminal()
    {
        var events = await ledger.TotalEventsAsync();
        var agreements = await ledger.ScalarAsync<long>("select count(*) from ledger.mt_streams");

        var (exit, output, log) = await ServiceCommand.RunAsync(Environment(), "rebuild-snapshots", "--progress-interval", Interval);
        var (inTerminal, screen, _) = await ServiceCommand.RunInTerminalAsync(Environment(), "rebuild-snapshots");

        Assert.True(exit == 0, output + log);
        AssertLines(log, "rebuild-snapshots folding", events);
        Assert.Matches(Summary("rebuild-snapshots folding", events), log);
        Assert.Matches($@"(?m)^rebuild-snapshots writing: [\d,]+ snapshots in \d+\.\d s", log);
        Assert.Contains($"Rebuilt {agreements} agreement snapshots from {events} events", output, StringComparison.Ordinal);
        Assert.True(inTerminal == 0, screen);
        AssertFrames(screen, "folding", $"{Count(events)} events", Summary("rebuild-snapshots folding", events));
    }

    /// <summary>
    /// <c>seed</c> loads only the demo agreements (19 events, a fraction of a second), so it shows its
    /// two steps and their summaries rather than lines every interval; the bulk import under it is
    /// shown at length in BulkImportTests.
    /// </summary>
    [Fact]
    public async Task seed_shows_the_steps_of_its_bulk_import_on_standard_error_either_way()
    {
        var events = DemoAgreements.All.Sum(a => a.Events.Count);
        var redirected = await TestDatabase.CreateAsync();
        var terminal = await TestDatabase.CreateAsync();
        try
        {
            // seed starts the host, which serves: on a port of its own, beside any other test.
            var (exit, output, log) = await ServiceCommand.RunAsync(Serving(redirected), "seed", "--progress-interval", Interval);
            var (inTerminal, screen, _) = await ServiceCommand.RunInTerminalAsync(Serving(terminal), "seed");

            Assert.True(exit == 0, output + log);
            Assert.Contains($"Loaded {DemoAgreements.All.Count} demo agreements.", output, StringComparison.Ordinal);
            Assert.Matches(Summary("seed checking", events), log);
            Assert.Matches(Summary("seed writing", events), log);
            Assert.DoesNotContain('\r', log);
            Assert.True(inTerminal == 0, screen);
            AssertFrames(screen, "checking", $"{events} events", Summary("seed checking", events), atLeast: 1);
            AssertFrames(screen, "writing", $"{events} events", Summary("seed writing", events), atLeast: 1);
        }
        finally
        {
            await TestDatabase.DropAsync(redirected);
            await TestDatabase.DropAsync(terminal);
        }
    }

    [Fact]
    public async Task progress_none_writes_nothing_and_a_bad_progress_flag_is_refused()
    {
        var file = Path.Combine(_folder, "quiet.ndjson");

        var (quiet, _, quietLog) = await ServiceCommand.RunAsync(Environment(), "export", "--out", file, "--progress", "none");
        var (refused, _, refusal) = await ServiceCommand.RunAsync(Environment(), "rebuild-snapshots", "--progress", "sometimes");
        var (badInterval, usage, _) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", await PublicKeyAsync(), "--progress-interval", "0");

        Assert.Equal(0, quiet);
        Assert.DoesNotMatch(@"(?m)^export[: ]", quietLog);
        Assert.NotEqual(0, refused);
        Assert.Contains("--progress must be auto, bar, lines or none", refusal, StringComparison.Ordinal);
        Assert.Equal(2, badInterval);
        Assert.Contains("--progress-interval must be a number of seconds", usage, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> Environment() => ServiceCommand.Environment(ledger.ConnectionString);

    private static Dictionary<string, string> Serving(string connectionString)
    {
        var environment = ServiceCommand.Environment(connectionString);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        return environment;
    }

    private async Task<string> PublicKeyAsync()
    {
        var pem = Path.Combine(_folder, "ledger.pem");
        await File.WriteAllTextAsync(pem, TestAuditKey.Key.ExportSubjectPublicKeyInfoPem());
        return pem;
    }
}
