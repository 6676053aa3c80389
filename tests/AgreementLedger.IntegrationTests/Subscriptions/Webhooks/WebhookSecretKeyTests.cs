using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Infrastructure;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Subscriptions.Webhooks;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Subscriptions.Webhooks;

/// <summary>The key webhook secrets are sealed with: where it comes from, what a start refuses, and secrets stored before it.</summary>
public sealed class WebhookSecretKeyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ledger-webhook-key-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData("not base64 at all!", "is not base64")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "decodes to 16 bytes")]
    public void a_malformed_key_refuses_the_start_naming_the_setting(string key, string reason)
    {
        var error = Assert.Throws<StartupException>(() => WebhookSecretKey.Load(key, null, isDevelopment: true, "Development"));

        Assert.StartsWith("Ledger:Webhooks:SecretKey (Ledger__Webhooks__SecretKey) ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void outside_development_a_missing_key_refuses_the_start()
    {
        var error = Assert.Throws<StartupException>(() => WebhookSecretKey.Load("", Path.Combine(_root, "key"), isDevelopment: false, "Production"));

        Assert.StartsWith("Ledger:Webhooks:SecretKey (environment variable Ledger__Webhooks__SecretKey) is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Production'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public void in_development_a_key_is_generated_once_into_a_file_only_its_owner_reads()
    {
        var file = Path.Combine(_root, WebhookSecretKey.FileName);

        var first = WebhookSecretKey.Load(null, file, isDevelopment: true, "Development");
        var again = WebhookSecretKey.Load(null, file, isDevelopment: true, "Development");

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file)).Length);
        Assert.Equal(first.KeyId, again.KeyId);
        Assert.Equal("a-secret-of-some-length", again.Open("sub-1", first.Seal("sub-1", "a-secret-of-some-length"), out _));
    }

    [Fact]
    public void a_sealed_secret_opens_only_under_its_key_and_for_its_subscription()
    {
        var key = WebhookSecretKey.Load(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), null, isDevelopment: false, "Production");
        var other = WebhookSecretKey.Load(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), null, isDevelopment: false, "Production");
        var stored = key.Seal("sub-1", "a-secret-of-some-length");

        Assert.Null(other.Open("sub-1", stored, out var otherKey));
        Assert.Null(key.Open("sub-2", stored, out var otherRow));

        Assert.StartsWith("the secret was sealed under another Ledger:Webhooks:SecretKey", otherKey, StringComparison.Ordinal);
        Assert.StartsWith("the stored secret does not open under this key", otherRow, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-of-some-length", otherKey + otherRow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_node_started_without_the_key_outside_development_exits_with_one_line_naming_it()
    {
        var (exit, output, error) = await ServiceCommand.RunAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__Ledger"] = "Host=127.0.0.1;Port=1;Database=unused",
            ["Ledger__Auth__SigningKey"] = TestTokens.Key,
            ["Ledger__Webhooks__SecretKey"] = "",
        }, "db-apply");

        Assert.Equal(2, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("AgreementLedger cannot start: Ledger:Webhooks:SecretKey (environment variable Ledger__Webhooks__SecretKey) is not set", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_plain_secret_left_by_an_earlier_version_is_sealed_when_a_node_starts_and_still_signs()
    {
        const string secret = "a-secret-stored-in-plain-text";
        var connectionString = await TestDatabase.CreateAsync();
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            // The table as the earlier version created it: no sealed flag, no lease holder, the secret as given.
            await ExecuteAsync(connectionString, """
                create schema ledger;
                create table ledger.webhook_subscriptions (
                  id varchar primary key, url varchar not null, types text[], secret varchar not null,
                  created_at timestamp with time zone not null, position bigint not null,
                  last_success_at timestamp with time zone, failures integer not null default 0, last_status integer,
                  last_error varchar, next_attempt_at timestamp with time zone not null, lease_until timestamp with time zone);
                """);
            await ExecuteAsync(connectionString,
                $"insert into ledger.webhook_subscriptions (id, url, secret, created_at, position, next_attempt_at) values ('old-1', '{receiver.Url()}', '{secret}', now(), 0, now())");

            await using var node = await ServiceProcess.StartAsync(connectionString, new Dictionary<string, string>
            {
                ["Ledger__Webhooks__PollInterval"] = "00:00:00.100",
                ["Ledger__Webhooks__AllowPrivateNetworks"] = "true",
            });
            using (var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id = Given.NewId("plain"), title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }))
            {
                Assert.Equal(201, (int)proposed.StatusCode);
            }

            await WebhookWaits.UntilAsync(() => !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(15));

            var stored = await ScalarAsync<string>(connectionString, "select secret from ledger.webhook_subscriptions where id = 'old-1'");
            Assert.True(await ScalarAsync<bool>(connectionString, "select secret_sealed from ledger.webhook_subscriptions where id = 'old-1'"));
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            var (_, _, body, signature) = Assert.Single(receiver.Requests);
            var parts = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"))), parts["v1"]);
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
