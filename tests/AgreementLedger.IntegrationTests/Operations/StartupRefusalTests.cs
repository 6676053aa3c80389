using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>
/// Settings the service refuses to start without, or with malformed: each is one line on standard error naming the
/// setting, exit code 2, no stack trace. The service is run as its own process, as an operator starts it.
/// </summary>
[Collection(CommandLineCollection.Name)]
public sealed class StartupRefusalTests(LedgerHost ledger) : IDisposable
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-startup-").FullName;

    [Fact]
    public async Task outside_development_the_service_refuses_to_start_without_a_digest_signing_key()
    {
        var environment = ServiceCommand.Environment(ledger.ConnectionString);
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment.Remove("Ledger__Audit__SigningKey");

        var (exit, output, error) = await ServiceCommand.RunAsync(environment, RefusalTimeout);

        AssertOneLineRefusal(exit, output, error, "Ledger:Audit:SigningKey");
        Assert.Contains("'Production'", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> MalformedKeys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        return new TheoryData<string, string, string>
        {
            { "Ledger__Audit__SigningKey", "not base64!", "Ledger:Audit:SigningKey is not valid base64" },
            { "Ledger__Audit__SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(40)), "Ledger:Audit:SigningKey is not a DER PKCS#8 ECDSA P-256 private key" },
            { "Ledger__Audit__SigningKey", Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()), "Ledger:Audit:SigningKey is not a DER PKCS#8 ECDSA P-256 private key" },
            { "Ledger__Audit__SigningKey", Convert.ToBase64String(p384.ExportPkcs8PrivateKey()), "Ledger:Audit:SigningKey is an ECDSA key of 384 bits on another curve" },
            { "Ledger__Audit__SigningKey", p256.ExportPkcs8PrivateKeyPem(), "Ledger:Audit:SigningKey is PEM" },
            { "Ledger__Audit__PreviousPublicKeys__0", "not a key", "Ledger:Audit:PreviousPublicKeys entry 0 is neither PEM nor base64" },
            { "Ledger__Audit__PreviousPublicKeys__0", Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), "Ledger:Audit:PreviousPublicKeys entry 0 is not the SubjectPublicKeyInfo of an ECDSA P-256 key" },
            { "Ledger__Audit__PreviousPublicKeys__0", p256.ExportPkcs8PrivateKeyPem(), "Ledger:Audit:PreviousPublicKeys entry 0 is not a PEM PUBLIC KEY block" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public async Task a_malformed_digest_key_setting_is_one_line_naming_it(string variable, string value, string says)
    {
        var environment = ServiceCommand.Environment(ledger.ConnectionString);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment[variable] = value;

        var (exit, output, error) = await ServiceCommand.RunAsync(environment, RefusalTimeout);

        AssertOneLineRefusal(exit, output, error, says);
        Assert.DoesNotContain(value.Trim(), error, StringComparison.Ordinal);
    }

    /// <summary>An authority is https; plain http only on a loopback address, and only when RequireHttpsMetadata is false.</summary>
    [Theory]
    [InlineData("http://idp.example.org", "false", "Ledger:Auth:Authority must be https (it is 'http://idp.example.org')")]
    [InlineData("http://127.0.0.1:9", "", "Ledger:Auth:Authority must be https (it is 'http://127.0.0.1:9')")]
    [InlineData("idp.example.org", "", "Ledger:Auth:Authority must be an absolute https address (it is 'idp.example.org')")]
    public async Task an_authority_over_plain_http_beyond_loopback_is_refused(string authority, string requireHttps, string says)
    {
        var environment = ServiceCommand.Environment(ledger.ConnectionString);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["Ledger__Auth__SigningKey"] = "";
        environment["Ledger__Auth__Authority"] = authority;
        environment["Ledger__Auth__RequireHttpsMetadata"] = requireHttps;

        var (exit, output, error) = await ServiceCommand.RunAsync(environment, RefusalTimeout);

        AssertOneLineRefusal(exit, output, error, says);
    }

    [Fact]
    public async Task a_key_file_that_cannot_be_read_or_holds_no_key_is_one_line_naming_it()
    {
        var garbage = Path.Combine(_folder, "garbage.pk8");
        await File.WriteAllBytesAsync(garbage, RandomNumberGenerator.GetBytes(64));
        var directory = Directory.CreateDirectory(Path.Combine(_folder, "a-directory")).FullName;
        var underAFile = Path.Combine(garbage, "audit.pk8");

        foreach (var (file, says) in new[]
                 {
                     (garbage, "is not a DER PKCS#8 ECDSA P-256 private key"),
                     (directory, "is a directory"),
                     (underAFile, "does not exist and cannot be created"),
                 })
        {
            var environment = ServiceCommand.Environment(ledger.ConnectionString);
            environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            environment.Remove("Ledger__Audit__SigningKey");
            environment["Ledger__Audit__KeyFile"] = file;

            var (exit, output, error) = await ServiceCommand.RunAsync(environment, RefusalTimeout);

            AssertOneLineRefusal(exit, output, error, $"Ledger:Audit:KeyFile '{file}' {says}");
        }
    }

    [Fact]
    public void outside_development_a_configured_key_file_is_created_owner_only_and_then_kept()
    {
        var file = Path.Combine(_folder, "keys", "audit.pk8");
        var production = new HostEnvironment("Production");

        using var created = AuditSigningKey.Load(null, file, null, production);
        using var again = AuditSigningKey.Load(null, file, null, production);
        var error = Assert.Throws<StartupException>(() => AuditSigningKey.Load(null, null, Path.Combine(_folder, "embedded.pk8"), production));

        Assert.Equal(created.KeyId, again.KeyId);
        Assert.Equal(file + " (generated)", created.Source);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // The file beside an embedded database is Development's default only: elsewhere the key is named.
        Assert.Contains("Ledger:Audit:KeyFile", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "embedded.pk8")));
    }

    [Fact]
    public async Task development_without_authentication_listening_beyond_loopback_stops_with_exit_2_saying_why()
    {
        var environment = OpenModeEnvironment();
        var port = FreePort();
        environment["ASPNETCORE_URLS"] = $"http://0.0.0.0:{port}";

        var (exit, output, error) = await ServiceCommand.RunAsync(environment, RefusalTimeout);

        Assert.True(exit == 2, $"exit {exit}: {output}{error}");
        var reason = $"AgreementLedger cannot start: no authentication is configured and it listens on http://0.0.0.0:{port}, which is not loopback.";
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.StartsWith(reason, error.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task development_without_authentication_on_loopback_serves_local_requests_and_refuses_proxied_ones(string listenOn)
    {
        await using var node = await ServiceProcess.StartAsync(ledger.ConnectionString, OpenModeEnvironment(), listenOn);
        node.Client.DefaultRequestHeaders.Authorization = null;
        var id = Given.NewId("open-process");
        var before = await ledger.TotalEventsAsync();

        using var proxied = new HttpRequestMessage(HttpMethod.Post, "/agreements") { Content = JsonContent.Create(Proposal(Given.NewId("proxied"))) };
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var refused = await node.Client.SendAsync(proxied);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("/problems/unauthorized", problem.GetProperty("type").GetString());
        Assert.Equal(before, await ledger.TotalEventsAsync());

        using var proposed = await node.Client.PostAsJsonAsync("/agreements", Proposal(id));
        var timeline = await node.Client.GetFromJsonAsync<JsonElement>($"/agreements/{id}/timeline");

        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        Assert.Equal("local", timeline.GetProperty("entries")[0].GetProperty("recordedBy").GetString());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string> OpenModeEnvironment()
    {
        var environment = ServiceCommand.Environment(ledger.ConnectionString);
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["Ledger__Auth__SigningKey"] = "";
        return environment;
    }

    private static object Proposal(string id) => new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() };

    private static void AssertOneLineRefusal(int exit, string output, string error, string says)
    {
        var lines = (output + error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exit == 2 && lines.Length == 1, $"exit {exit}, {lines.Length} lines: {output}{error}");
        Assert.StartsWith("AgreementLedger cannot start: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(says, lines[0], StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class HostEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "AgreementLedger.Api";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
