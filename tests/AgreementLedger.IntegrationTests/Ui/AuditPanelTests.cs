using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Issue #21, point 7: the audit panel of an agreement's page — each event's hash and position, the newest signed
/// digest, the newest checkpoint with its cosignatures, the ledger-wide check with when it ran, the export, the
/// public key, a checkpoint and an event's proof as files, and the offline steps; the files it saves pass the
/// offline checkers as docs/audit.md runs them. Against a service that publishes to a real witness.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuditPanelTests(BrowserHost host, WitnessedService ledger) : IClassFixture<WitnessedService>, IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audit-panel-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await host.ClosePagesAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task a_drawing_of_the_page_reads_the_newest_checkpoint_once_for_the_proofs_and_the_panel()
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-audit-once");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await Expect(page.Locator("#events .proof[data-state='verified']").First).ToBeVisibleAsync();

        var asked = new List<string>();
        page.Request += (_, request) =>
        {
            if (new Uri(request.Url).AbsolutePath == "/audit/checkpoint")
            {
                asked.Add(request.Url);
            }
        };
        await page.ReloadAsync();
        await Expect(page.Locator("#audit-tree-size")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#events .proof[data-state='verified']")).ToHaveCountAsync(await page.Locator("#events .proof").CountAsync());
        await Expect(page.Locator("#events .proof[data-state='verified']").First).ToContainTextAsync("In checkpoint");

        Assert.Single(asked);
        Assert.DoesNotContain("treeSize", asked[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_panel_shows_each_events_hash_and_position_the_signed_digest_and_the_cosigned_checkpoint_as_the_api_answers_them()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-audit-panel");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        var entries = (await ledger.Service.Client.GetFromJsonAsync<JsonElement>($"/agreements/{id}/timeline")).GetProperty("entries").EnumerateArray().ToList();

        await Expect(page.Locator("#audit-events li")).ToHaveCountAsync(entries.Count);
        foreach (var entry in entries)
        {
            var item = page.Locator($"#audit-events li[data-version='{entry.GetProperty("version").GetInt64()}']");
            await Expect(item.Locator("code")).ToHaveTextAsync(entry.GetProperty("hash").GetString()!);
            await Expect(item).ToContainTextAsync($"position {entry.GetProperty("position").GetInt64()} · leaf {entry.GetProperty("leafIndex").GetInt64()}");
        }

        await Expect(page.Locator("#audit-chain")).ToContainTextAsync($"This agreement's hash chain: verified, {entries.Count} events, checked");
        await Expect(page.Locator("#audit-chain")).ToContainTextAsync("UTC");
        await Expect(page.Locator("#audit-chain")).ToContainTextAsync("your time");

        // The digest the page shows is the one the API signs at that position.
        var shownPosition = await page.Locator("#audit-digest dd").First.TextContentAsync();
        var position = long.Parse(shownPosition!.Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture);
        var digest = await ledger.Service.Client.GetFromJsonAsync<JsonElement>($"/audit/digest?position={position}");
        await Expect(page.Locator("#audit-digest")).ToContainTextAsync(digest.GetProperty("digest").GetString()!);
        await Expect(page.Locator("#audit-digest")).ToContainTextAsync(digest.GetProperty("keyId").GetString()!);

        // The checkpoint the page shows is a published one, at least the size the events were first found in, cosigned.
        var treeSize = long.Parse((await page.Locator("#audit-tree-size").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(treeSize >= checkpoint.TreeSize, $"the page shows tree size {treeSize}, older than {checkpoint.TreeSize}");
        var kept = await ledger.Service.Client.GetFromJsonAsync<JsonElement>($"/audit/checkpoint?treeSize={treeSize}");
        await Expect(page.Locator("#audit-checkpoint")).ToContainTextAsync(kept.GetProperty("rootHash").GetString()!);
        await Expect(page.Locator("#audit-cosignatures li")).ToContainTextAsync($"Cosigned by {ledger.WitnessName}");
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task the_whole_ledger_is_checked_on_demand_and_says_when()
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-audit-ledger");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await Expect(page.Locator("#audit-ledger")).ToHaveTextAsync("Not checked yet on this page.");

        var verify = page.WaitForRequestAsync(r => r.Url.EndsWith("/audit/verify", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the whole ledger" }).ClickAsync();
        await verify;

        var report = await ledger.Service.Client.GetFromJsonAsync<JsonElement>("/audit/verify");
        await Expect(page.Locator("#audit-ledger")).ToContainTextAsync("The whole ledger: verified");
        await Expect(page.Locator("#audit-ledger")).ToContainTextAsync($"in {report.GetProperty("streamsChecked").GetInt32():N0} agreements, checked {DateTime.UtcNow:yyyy-MM-dd}");
    }

    [Fact]
    public async Task the_export_and_the_key_it_saves_pass_both_offline_checkers_and_the_proof_it_saves_passes_verify_proof()
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-audit-files");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await Expect(page.Locator("#audit-events li")).ToHaveCountAsync(2);

        var export = await SaveAsync(page, "Download the export (NDJSON)", "ledger.ndjson");
        var key = await SaveAsync(page, "Download the public key (key.pem)", "key.pem");
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", await File.ReadAllTextAsync(key), StringComparison.Ordinal);
        var witnessKey = Path.Combine(_folder, "witness.pem");
        await File.WriteAllTextAsync(witnessKey, ledger.WitnessKey.Pem);
        foreach (var (exit, output) in await ReferenceCheck.BothWithAsync([export, "--public-key", key, "--witness-key", witnessKey]))
        {
            Assert.True(exit == 0, output);
            Assert.StartsWith("VERIFIED", output.TrimStart(), StringComparison.Ordinal);
        }

        var csv = await SaveAsync(page, "Download the export (CSV)", "ledger.csv");
        Assert.StartsWith("record,", (await File.ReadAllLinesAsync(csv))[0], StringComparison.Ordinal);

        // One event against the checkpoint the page saved, with only the keys: what docs/audit.md's verify-proof step runs.
        var checkpoint = await SaveAsync(page, "Download the checkpoint (checkpoint.json)", "checkpoint.json");
        var proof = await SaveAsync(page, "the inclusion proof of version 2", "proof-v2.json");
        var hash = await page.Locator("#audit-events li[data-version='2'] code").TextContentAsync();
        var (code, stdout, stderr) = await ServiceCommand.RunAsync(new Dictionary<string, string>(),
            "verify-proof", "--proof", proof, "--checkpoint", checkpoint, "--public-key", key, "--witness-key", witnessKey, "--min-cosignatures", "1", "--event-hash", hash!);
        Assert.True(code == 0, stdout + stderr);
        Assert.StartsWith("VERIFIED", stdout.TrimStart(), StringComparison.Ordinal);

        // The offline steps name those files and both checkers.
        var steps = await page.Locator("#audit-offline").TextContentAsync();
        Assert.Contains("verify-export ledger.ndjson --public-key key.pem", steps, StringComparison.Ordinal);
        Assert.Contains("python3 docs/verify_export.py ledger.ndjson --public-key key.pem", steps, StringComparison.Ordinal);
        Assert.Contains("verify-proof --proof proof-v2.json --checkpoint checkpoint.json", steps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task without_the_auditor_role_the_panel_says_what_it_needs()
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-audit-recorder");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address, token: TestTokens.For("officer", Roles.Recorder));

        await Expect(page.Locator("#audit-chain")).ToHaveTextAsync("This agreement's hash chain: checking it needs the auditor role.");
        await Expect(page.Locator("#audit-digest")).ToHaveTextAsync("Needs the auditor role.");
        await Expect(page.Locator("#audit-checkpoint")).ToHaveTextAsync("Needs the auditor role.");
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_panel_passes_axe_and_fits_laptop_and_phone_widths(int width)
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-audit-axe");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900, ledger.Service.Address);
        await Expect(page.Locator("#audit-cosignatures li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#audit-chain")).ToContainTextAsync("verified");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the whole ledger" }).ClickAsync();
        await Expect(page.Locator("#audit-ledger")).ToContainTextAsync("verified");

        await BrowserHost.AssertAxeCleanAsync(page);
        await page.Locator(".audit-panel").ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath(width < 500 ? "ui-audit-panel-phone.png" : "ui-audit-panel.png") });
    }

    /// <summary>Clicks the button named <paramref name="button"/> and keeps the file the page saves; its path.</summary>
    private async Task<string> SaveAsync(IPage page, string button, string expectedName)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync());
        Assert.Equal(expectedName, download.SuggestedFilename);
        var path = Path.Combine(_folder, expectedName);
        await download.SaveAsAsync(path);
        return path;
    }
}
