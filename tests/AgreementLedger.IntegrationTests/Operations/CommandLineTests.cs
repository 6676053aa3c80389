using System.Security.Cryptography;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Operations;

[CollectionDefinition(Name)]
public sealed class CommandLineCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "command-line";
}

/// <summary>The service's command line, run as its own process the way an operator runs it.</summary>
[Collection(CommandLineCollection.Name)]
public sealed class CommandLineTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-cli-").FullName;

    [Fact]
    public async Task help_lists_and_explains_every_operator_command_without_a_database()
    {
        // Production with nothing configured: help must still answer.
        var (exit, output, _) = await RunAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "codegen", "projections", "rebuild-snapshots", "db-apply", "db-patch", "seed", "export", "verify-export", "token" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s+\S", output);
        }

        var (_, exportHelp, _) = await RunAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "help", "export");
        Assert.Contains("--format", exportHelp, StringComparison.Ordinal);
        Assert.Contains("--as-of", exportHelp, StringComparison.Ordinal);
        Assert.Contains("--out", exportHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_command_that_never_starts_the_host_stops_the_embedded_cluster_it_started()
    {
        // Not under the 0700 temporary folder: the cluster's OS user must be able to reach its data.
        var data = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-command-{Guid.NewGuid():N}");
        var (exit, output, error) = await RunAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Ledger"] = "",
            ["Ledger__Auth__SigningKey"] = "",
            ["Ledger__Audit__SigningKey"] = "",
            ["Ledger__Webhooks__SecretKey"] = "",
            ["Ledger__Database__DataDirectory"] = data,
        }, "codegen", "test");

        Assert.True(exit == 0, output + error);
        Assert.True(File.Exists(Path.Combine(data, "data", "PG_VERSION")), "the command did not start the embedded cluster: " + output + error);
        Assert.False(File.Exists(Path.Combine(data, "data", "postmaster.pid")), "the embedded cluster is still running after the command");
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task a_node_refused_for_its_configuration_stops_the_embedded_cluster_it_started()
    {
        var data = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-refused-{Guid.NewGuid():N}");
        var (exit, output, error) = await RunAsync(new Dictionary<string, string>
        {
            // Production with the embedded database asked for, but without the webhook secret key Production requires.
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Ledger"] = "",
            ["Ledger__Database__Embedded"] = "true",
            ["Ledger__Database__DataDirectory"] = data,
            ["Ledger__Auth__SigningKey"] = TestTokens.Key,
            ["Ledger__Audit__SigningKey"] = TestAuditKey.Pkcs8,
            ["Ledger__Webhooks__SecretKey"] = "",
        });

        Assert.True(exit == 2, output + error);
        Assert.Contains("AgreementLedger cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("Ledger__Webhooks__SecretKey", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "data", "PG_VERSION")), "the embedded cluster was not started: " + output + error);
        Assert.False(File.Exists(Path.Combine(data, "data", "postmaster.pid")), "the embedded cluster is still running after the refusal");
        Directory.Delete(data, recursive: true);
    }

    [Theory]
    [InlineData("would publish integration events a second time", "projections")]
    [InlineData("would publish integration events a second time", "projections", "run")]
    [InlineData("count them twice", "projections", "rebuild", "-p", "integration-events")]
    [InlineData("No projection 'Nope'", "projections", "rebuild", "--projection", "Nope")]
    [InlineData("deletes every event", "marten", "--reset")]
    [InlineData("deletes every event", "marten", "-r")]
    [InlineData("past gaps by force", "marten", "--advance")]
    [InlineData("drop the ledger's tables", "resources", "teardown")]
    [InlineData("drop the ledger's tables", "resources", "Clear")]
    [InlineData("Wolverine's outbox", "storage", "clear")]
    [InlineData("Wolverine's outbox", "storage", "rebuild")]
    public async Task commands_of_marten_wolverine_and_jasperfx_that_would_damage_the_ledger_are_refused(string why, params string[] args)
    {
        await ledger.Host.ProposedAsync(Given.NewId("guarded"), "JP", "GB");
        var events = await ledger.TotalEventsAsync();
        var (exit, _, error) = await RunAsync(WithDatabase(), args);

        Assert.Equal(2, exit);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.Equal(events, await ledger.TotalEventsAsync());
    }

    [Fact]
    public async Task martens_projections_list_still_answers()
    {
        var (exit, output, error) = await RunAsync(WithDatabase(), "projections", "list");

        Assert.True(exit == 0, output + error);
        Assert.Contains("Agreement", output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> WithDatabase() => ServiceCommand.Environment(ledger.ConnectionString);

    [Fact]
    public async Task export_writes_a_file_that_verify_export_accepts_with_every_key_that_signed_a_digest_in_it()
    {
        var id = Given.NewId("cli-export");
        await ledger.Host.ProposedAsync(id, "JP", "GB", "IT");
        // Kept by the running service under its own key; the export below signs its closing digest with another.
        var kept = (await ledger.Host.GetAsync("/audit/digest"))["position"].GetInt64();
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var serviceKey = (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0];
        var servicePem = Path.Combine(_folder, "service.pem");
        await File.WriteAllTextAsync(servicePem, serviceKey.GetProperty("pem").GetString());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = Path.Combine(_folder, "ledger.pem");
        await File.WriteAllTextAsync(pem, key.ExportSubjectPublicKeyInfoPem());
        var file = Path.Combine(_folder, "ledger.ndjson");
        var environment = WithDatabase();
        environment["Ledger__Audit__SigningKey"] = Convert.ToBase64String(key.ExportPkcs8PrivateKey());

        var (exported, _, log) = await RunAsync(environment, "export", "--out", file);
        var (oneKey, oneKeyReport, _) = await RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", pem);
        var (bothKeys, bothKeysReport, _) = await RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", pem, "--public-key", servicePem);

        Assert.Equal(0, exported);
        Assert.Contains("Exported the ledger up to position", log, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Contains(lines, l => l.Contains($"\"agreementId\":\"{id}\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{{\"record\":\"kept-digest\",\"position\":{kept},", StringComparison.Ordinal));
        Assert.StartsWith("{\"record\":\"digest\"", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith("{\"record\":\"checkpoint\"", lines[^1], StringComparison.Ordinal);
        Assert.Equal(1, oneKey);
        Assert.Contains($"the kept digest at position {kept} was signed with key {serviceKey.GetProperty("keyId").GetString()}, which is not among the keys given", oneKeyReport, StringComparison.Ordinal);
        Assert.True(bothKeys == 0, bothKeysReport);
        Assert.StartsWith("VERIFIED", bothKeysReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task export_refuses_a_diverged_history_naming_the_checkpoint_and_writes_nothing()
    {
        var file = Path.Combine(_folder, "diverged.ndjson");
        await ledger.ExecuteAsync("insert into ledger.audit_divergences (tree_size, root_hash, signed_by, reason) values (3, repeat('ef', 32), 'the witness at http://witness.test/', 'a test')");
        try
        {
            var (exit, _, error) = await RunAsync(WithDatabase(), "export", "--out", file);

            Assert.NotEqual(0, exit);
            Assert.Contains($"the checkpoint of tree size 3 with root {string.Concat(Enumerable.Repeat("ef", 32))} signed by the witness at http://witness.test/", error, StringComparison.Ordinal);
            Assert.False(File.Exists(file));
        }
        finally
        {
            await ledger.ExecuteAsync("delete from ledger.audit_divergences");
        }
    }

    [Fact]
    public async Task export_refuses_an_unknown_format_or_an_instant_without_offset_and_writes_nothing()
    {
        var file = Path.Combine(_folder, "never.xml");
        var environment = WithDatabase();

        var (exit, _, error) = await RunAsync(environment, "export", "--format", "xml", "--out", file);
        // An instant without an offset is refused, as GET /audit/export?asOf= refuses it.
        var (noOffset, _, noOffsetError) = await RunAsync(environment, "export", "--as-of", "2025-06-30T00:00:00", "--out", file);

        Assert.NotEqual(0, exit);
        Assert.Contains("--format must be ndjson or csv", error, StringComparison.Ordinal);
        Assert.NotEqual(0, noOffset);
        Assert.Contains("--as-of must be an ISO 8601 instant with an offset", noOffsetError, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task db_patch_writes_the_schema_for_review_and_db_apply_creates_it_in_an_empty_database()
    {
        var empty = await TestDatabase.CreateAsync();
        try
        {
            var environment = ServiceCommand.Environment(empty);
            var patch = Path.Combine(_folder, "ledger.sql");

            var (patched, _, patchError) = await RunAsync(environment, "db-patch", patch, "--database", "marten://store/");

            Assert.True(patched == 0, patchError);
            var sql = await File.ReadAllTextAsync(patch);
            foreach (var table in new[] { "ledger.mt_events", "ledger.mt_streams", "ledger.audit_digests", "ledger.webhook_subscriptions" })
            {
                Assert.Contains(table, sql, StringComparison.OrdinalIgnoreCase);
            }

            Assert.Null(await ScalarAsync(empty, "select to_regclass('ledger.mt_events')::text"));

            var (applied, _, applyError) = await RunAsync(environment, "db-apply");

            Assert.True(applied == 0, applyError);
            Assert.Equal("ledger.mt_events", await ScalarAsync(empty, "select to_regclass('ledger.mt_events')::text"));
            Assert.Equal("ledger.audit_digests", await ScalarAsync(empty, "select to_regclass('ledger.audit_digests')::text"));
        }
        finally
        {
            await TestDatabase.DropAsync(empty);
        }
    }

    [Fact]
    public async Task seed_beside_a_running_node_neither_binds_its_port_nor_needs_the_schema_to_exist()
    {
        // A node already holds the port the seed process would be given; the database is empty, schema and all.
        using var node = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        node.Start();
        var empty = await TestDatabase.CreateAsync();
        try
        {
            var environment = ServiceCommand.Environment(empty);
            environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{((System.Net.IPEndPoint)node.LocalEndpoint).Port}";

            var (exit, output, error) = await RunAsync(environment, "seed");
            var (again, againOutput, againError) = await RunAsync(environment, "seed");

            Assert.True(exit == 0, output + error);
            Assert.Contains($"Loaded {AgreementLedger.Agreements.Seeding.DemoAgreements.All.Count} demo agreements.", output, StringComparison.Ordinal);
            Assert.Equal(AgreementLedger.Agreements.Seeding.DemoAgreements.All.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                await ScalarAsync(empty, "select count(*)::text from ledger.mt_streams"));
            Assert.True(again == 0, againOutput + againError);
            Assert.Contains("The ledger already holds events; nothing was loaded.", againOutput, StringComparison.Ordinal);
        }
        finally
        {
            await TestDatabase.DropAsync(empty);
        }
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task token_takes_several_roles_after_one_flag()
    {
        var (exit, token, _) = await RunAsync(new Dictionary<string, string> { ["Ledger__Auth__SigningKey"] = TestTokens.Key }, "token", "--role", "auditor", "subscriber", "--sub", "dana");

        Assert.Equal(0, exit);
        await ledger.Host.GetAsync("/events", 200, token.Trim());
        await ledger.Host.GetAsync("/audit/verify", 200, token.Trim());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ServiceCommand.RunAsync(environment, args);
}
