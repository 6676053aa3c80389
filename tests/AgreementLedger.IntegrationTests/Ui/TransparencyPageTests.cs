using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgreementLedger.Client;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.IntegrationTests.Witness;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// Issue #18, point 5: the page shows for each event "In checkpoint N, cosigned by …", verified in the browser
/// (Web Crypto) from its inclusion proof, the checkpoint's signature and the witness's cosignature, and shows
/// loudly a proof that does not verify and a history that diverged. Against a service of its own that publishes
/// every 200 ms to a real witness process (<see cref="WitnessedService"/>), in the shared browser.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TransparencyPageTests(BrowserHost host, WitnessedService ledger) : IClassFixture<WitnessedService>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Fact]
    public async Task each_event_shows_the_checkpoint_it_is_in_and_the_witness_that_cosigned_it_verified_in_the_browser()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-cosigned");
        var proofs = new List<string>();
        var page = await PageAsync(id, proofs);

        var cells = page.Locator("#events .proof");
        await Expect(cells).ToHaveCountAsync(2);
        foreach (var cell in await cells.AllAsync())
        {
            await Expect(cell).ToHaveTextAsync($"In checkpoint {checkpoint.TreeSize}, cosigned by {ledger.WitnessName}");
            await Expect(cell).ToHaveAttributeAsync("data-state", "verified");
        }

        // Each row from its own proof, in the checkpoint's size.
        Assert.Equal(2, proofs.Distinct(StringComparer.Ordinal).Count());
        Assert.All(proofs, url => Assert.Contains($"treeSize={checkpoint.TreeSize}", url, StringComparison.Ordinal));
        Assert.Empty(host.Errors[page]);
    }

    [Fact]
    public async Task an_audit_path_with_one_hash_changed_shows_that_the_proof_does_not_verify_and_no_pass()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-tampered-proof");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await AlterAsync(page, "**/audit/proofs/inclusion?**", proof =>
        {
            var path = proof["auditPath"]!.AsArray();
            path[0] = Flipped(path[0]!.GetValue<string>());
        });
        await page.ReloadAsync();

        var cells = page.Locator("#events .proof");
        await Expect(cells).ToHaveCountAsync(2);
        foreach (var cell in await cells.AllAsync())
        {
            await Expect(cell).ToHaveTextAsync($"Proof does not verify: the audit path does not lead to the root of checkpoint {checkpoint.TreeSize}");
            await Expect(cell).ToHaveAttributeAsync("data-state", "failed");
        }
    }

    [Fact]
    public async Task a_checkpoint_whose_signature_does_not_verify_fails_every_event()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-forged-checkpoint");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await AlterAsync(page, "**/audit/checkpoint", served => served["rootHash"] = Flipped(served["rootHash"]!.GetValue<string>()));
        await page.ReloadAsync();

        await Expect(page.Locator("#events .proof[data-state='failed']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events .proof").First).ToHaveTextAsync(
            $"Proof does not verify: the signature of checkpoint {checkpoint.TreeSize} does not verify with the service's key {checkpoint.KeyId}");
    }

    [Fact]
    public async Task a_cosignature_by_a_witness_whose_key_the_page_does_not_know_is_shown_unverified_and_not_counted()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-unknown-witness");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        await AlterAsync(page, "**/audit/public-key", keys => keys["witnesses"] = new JsonArray());
        await page.ReloadAsync();

        await Expect(page.Locator("#events .proof[data-state='verified']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events .proof").First).ToHaveTextAsync(
            $"In checkpoint {checkpoint.TreeSize}, cosigned by no witness; not counted: a cosignature by {ledger.WitnessName} (witness key unknown)");
    }

    [Fact]
    public async Task a_diverged_history_shows_a_banner_naming_the_checkpoint_and_no_event_as_verified()
    {
        var (id, checkpoint) = await ledger.CheckpointedAgreementAsync("ui-diverged");
        // The divergence as the service records it once the stored events no longer yield a cosigned checkpoint: every
        // node then answers /audit/checkpoint with 503 history-diverged (WitnessedLedgerTests make one for real).
        var signedBy = $"the witness at {ledger.Witness.Address}";
        await ledger.ExecuteAsync("insert into ledger.audit_divergences (tree_size, root_hash, signed_by, reason) values ($1, $2, $3, 'another root at that size')",
            checkpoint.TreeSize, checkpoint.RootHash, signedBy);
        try
        {
            var page = await PageAsync(id, []);

            var banner = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "history has diverged" });
            await Expect(banner).ToContainTextAsync($"tree size {checkpoint.TreeSize} with root {checkpoint.RootHash}, signed by {signedBy}");
            await Expect(page.Locator("#events .proof[data-state='failed']")).ToHaveCountAsync(2);
            await Expect(page.Locator("#events .proof").First).ToHaveTextAsync("Not verified: the history diverged");
            await Expect(page.Locator("#events")).Not.ToContainTextAsync("In checkpoint");

            await BrowserHost.AssertAxeCleanAsync(page);
        }
        finally
        {
            await ledger.ExecuteAsync("delete from ledger.audit_divergences");
        }
    }

    [Fact]
    public async Task a_user_without_the_auditor_role_reads_that_the_log_needs_it_not_an_error()
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-recorder");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address, token: TestTokens.For("officer", Roles.Recorder));

        await Expect(page.Locator("#events .proof[data-state='unchecked']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events .proof").First).ToHaveTextAsync("Needs the auditor role");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData(1366)]
    [InlineData(390)]
    public async Task the_verified_events_pass_axe_and_fit_laptop_and_phone_widths(int width)
    {
        var (id, _) = await ledger.CheckpointedAgreementAsync("ui-proof-axe");
        var page = await host.SignedInPageAsync($"#/agreements/{id}", width, 900, ledger.Service.Address);
        await Expect(page.Locator("#events .proof[data-state='verified']")).ToHaveCountAsync(2);
        await Expect(page.Locator(".audit")).Not.ToContainTextAsync("checking");

        await BrowserHost.AssertAxeCleanAsync(page);
        // The status is text in the event's row (under its summary), which a screen reader reads with the row.
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "proposed" });
        await Expect(row.GetByRole(AriaRole.Cell).Filter(new() { HasText = "In checkpoint" })).ToHaveCountAsync(1);
        if (width < 500)
        {
            await page.ScreenshotAsync(new() { Path = BrowserHost.ScreenshotPath("ui-transparency-phone.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task the_public_key_route_lists_the_configured_witness_key_beside_the_services_own()
    {
        var served = await ledger.Service.Client.GetFromJsonAsync<JsonElement>("/audit/public-key");
        var typed = await new LedgerClient(ledger.Service.Client).GetPublicKeysAsync();
        var json = await ledger.Service.Client.GetStringAsync("/openapi/v1.json");
        var document = new OpenApiContract(json);

        var witness = Assert.Single(served.GetProperty("witnesses").EnumerateArray());
        Assert.Equal(ledger.WitnessKey.KeyId, witness.GetProperty("keyId").GetString());
        Assert.Equal(ledger.WitnessKey.PublicKey, witness.GetProperty("publicKey").GetString());
        Assert.Equal(ledger.WitnessKey.Pem, witness.GetProperty("pem").GetString());
        Assert.Equal("ES256", witness.GetProperty("algorithm").GetString());
        Assert.Equal(AgreementLedger.Ledger.Signing.Es256.KeyIdOf(TestAuditKey.Key.ExportSubjectPublicKeyInfo()), Assert.Single(served.GetProperty("keys").EnumerateArray()).GetProperty("keyId").GetString());
        Assert.Equal(ledger.WitnessKey.KeyId, Assert.Single(typed.Witnesses).KeyId);
        Assert.Null(document.Mismatch("GET /audit/public-key", 200, "application/json", served.GetRawText()));
        var declared = JsonNode.Parse(json)!["components"]!["schemas"]!["PublicKeys"]!;
        Assert.NotNull(declared["properties"]!["witnesses"]);
        Assert.DoesNotContain("witnesses", declared["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [], StringComparer.Ordinal);
    }

    /// <summary>The agreement's page, signed in, collecting the inclusion proofs it asks for into <paramref name="proofs"/>.</summary>
    private async Task<IPage> PageAsync(string id, List<string> proofs)
    {
        var page = await host.SignedInPageAsync($"#/agreements/{id}", service: ledger.Service.Address);
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/audit/proofs/inclusion", StringComparison.Ordinal))
            {
                lock (proofs)
                {
                    proofs.Add(request.Url);
                }
            }
        };
        await page.ReloadAsync();
        return page;
    }

    /// <summary>Answers the page's requests to <paramref name="url"/> with the service's own answer, changed by <paramref name="change"/>.</summary>
    private static async Task AlterAsync(IPage page, string url, Action<JsonObject> change) =>
        await page.RouteAsync(url, async route =>
        {
            var real = await route.FetchAsync();
            var body = JsonNode.Parse(await real.TextAsync())!.AsObject();
            change(body);
            await route.FulfillAsync(new() { Response = real, Body = body.ToJsonString() });
        });

    /// <summary>The hash with its first hex digit changed.</summary>
    private static string Flipped(string hex) => (hex[0] == '0' ? "1" : "0") + hex[1..];

}

/// <summary>
/// A service of its own for the transparency-log page tests: publishing a checkpoint every 200 ms and submitting
/// each to a real witness process (the shared <see cref="BrowserHost"/>'s service has no witness), on a fresh database.
/// </summary>
public sealed class WitnessedService : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witnessed-page-" + Guid.NewGuid().ToString("N"));
    private string _connectionString = "";

    public WitnessProcess Witness { get; private set; } = null!;

    public AgreementLedger.Witness.WitnessPublicKey WitnessKey { get; private set; } = null!;

    /// <summary>The witness's name in its cosignatures: <c>witness/</c> + its keyId when <c>Witness:Name</c> is not set.</summary>
    public string WitnessName => "witness/" + WitnessKey.KeyId;

    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        Witness = await WitnessProcess.StartAsync(_stateDirectory);
        WitnessKey = await Witness.PublicKeyAsync();
        Service = await ServiceProcess.StartAsync(_connectionString, new Dictionary<string, string>
        {
            ["Ledger__Audit__DigestInterval"] = "00:00:00.200",
            ["Ledger__Audit__Witnesses__0__Url"] = Witness.Address.ToString(),
            ["Ledger__Audit__Witnesses__0__PublicKey"] = WitnessKey.PublicKey,
        });
    }

    /// <summary>Proposes an agreement and cites a source (two events), then waits until a published checkpoint holds both, cosigned.</summary>
    public async Task<(string Id, PublishedCheckpoint Checkpoint)> CheckpointedAgreementAsync(string prefix)
    {
        var id = Given.NewId(prefix);
        var client = Service.Client;
        using (var proposed = await client.PostAsJsonAsync("/agreements", new { id, title = "Partnership " + id, kind = "partnership", parties = new[] { "JP", "KR" }, areas = new[] { "space" }, occurredOn = "2024-01-10" }))
        {
            Assert.Equal(201, (int)proposed.StatusCode);
        }

        using (var cited = await client.PostAsJsonAsync($"/agreements/{id}/sources", new { publisher = "Reuters" }))
        {
            Assert.Equal(200, (int)cited.StatusCode);
        }

        for (var tries = 0; ; tries++)
        {
            Assert.True(tries < 150, "no cosigned checkpoint held the agreement's events within 15 s");
            var timeline = await client.GetFromJsonAsync<JsonElement>($"/agreements/{id}/timeline");
            var leaves = timeline.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("leafIndex")).ToList();
            if (leaves.All(l => l.ValueKind == JsonValueKind.Number))
            {
                var checkpoint = (await client.GetFromJsonAsync<PublishedCheckpoint>("/audit/checkpoint", JsonSerializerOptions.Web))!;
                if (checkpoint.TreeSize > leaves.Max(l => l.GetInt64()) && checkpoint.Cosignatures.Count > 0)
                {
                    return (id, checkpoint);
                }
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs SQL on the service's database, as someone with write access to it.</summary>
    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        if (Witness is not null)
        {
            await Witness.DisposeAsync();
        }

        await TestDatabase.DropAsync(_connectionString);
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }
}

/// <summary>What the tests read of <c>GET /audit/checkpoint</c>.</summary>
public sealed record PublishedCheckpoint(long TreeSize, string RootHash, string KeyId, IReadOnlyList<JsonElement> Cosignatures);
