using Alba;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>One real service host (Alba, real HTTP pipeline) on its own fresh database, shared by a collection.</summary>
public class LedgerHost : IAsyncLifetime
{
    private string _connectionString = "";

    public IAlbaHost Host { get; private set; } = null!;

    public string ConnectionString => _connectionString;

    public virtual async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment(EnvironmentName);
            builder.UseSetting("ConnectionStrings:Ledger", ServiceConnectionString(_connectionString));
            if (Authenticated && !Settings.ContainsKey("Ledger:Auth:Authority"))
            {
                builder.UseSetting("Ledger:Auth:SigningKey", TestTokens.Key);
            }

            // Outside Development the service refuses to start without a digest signing key.
            builder.UseSetting("Ledger:Audit:SigningKey", TestAuditKey.Pkcs8);
            builder.UseSetting("Ledger:Webhooks:SecretKey", TestWebhookKey.Base64);

            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.AddTransient<IStartupFilter, LoopbackRemoteAddress>();
                ConfigureServices(services);
            });
        });
    }

    /// <summary>The host's environment: Testing (authenticated, pre-generated handlers) unless a collection needs Development.</summary>
    protected virtual string EnvironmentName => "Testing";

    /// <summary>Whether the host accepts <see cref="TestTokens"/> (an open-mode host has no authentication).</summary>
    protected virtual bool Authenticated => true;

    /// <summary>The connection string the service is given (the tests' own queries use the direct one).</summary>
    protected virtual string ServiceConnectionString(string direct) => direct;

    /// <summary>Configuration for a collection's host.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Overrides for a collection's host (a controllable clock, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
    }

    /// <summary>Events stored for one agreement, straight from the event table.</summary>
    public async Task<long> EventCountAsync(string agreementId)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_events where stream_id = $1", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = agreementId });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Events stored in the whole ledger.</summary>
    public async Task<long> TotalEventsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from ledger.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// A host in Development with no authentication: open mode, where a request straight from a loopback address runs as
/// the local admin. Its in-memory requests come from 127.0.0.1 unless they say otherwise (<see cref="LoopbackRemoteAddress"/>).
/// </summary>
public sealed class OpenModeLedgerHost : LedgerHost
{
    protected override string EnvironmentName => "Development";

    protected override bool Authenticated => false;
}

[CollectionDefinition(Name)]
public sealed class OpenModeCollection : ICollectionFixture<OpenModeLedgerHost>
{
    public const string Name = "open-mode";
}

[CollectionDefinition(Name)]
public sealed class CommandsCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "commands";
}

[CollectionDefinition(Name)]
public sealed class ConventionsCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "conventions";
}

[CollectionDefinition(Name)]
public sealed class IdempotencyCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "idempotency";
}

/// <summary>A host whose clock the tests move, so that events are recorded at known instants.</summary>
public sealed class ClockedLedgerHost : LedgerHost
{
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 7, 1, 9, 0, 0, TimeSpan.Zero));

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

[CollectionDefinition(Name)]
public sealed class TimeTravelCollection : ICollectionFixture<ClockedLedgerHost>
{
    public const string Name = "time-travel";
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "audit";
}

[CollectionDefinition(Name)]
public sealed class AuditDigestCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "audit-digest";
}

/// <summary>
/// A ledger that no test alters behind the service's back: every export of it must verify, and an
/// export carries every digest kept up to its position, so one broken kept digest would fail them all.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AuditExportCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "audit-export";
}

/// <summary>A host that takes its periodic digests every 200 ms, and signs with a configured key.</summary>
public sealed class FastDigestLedgerHost : LedgerHost
{
    public static readonly System.Security.Cryptography.ECDsa Key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Audit:DigestInterval"] = "00:00:00.200",
        ["Ledger:Audit:SigningKey"] = Convert.ToBase64String(Key.ExportPkcs8PrivateKey()),
    };
}

[CollectionDefinition(Name)]
public sealed class FastDigestCollection : ICollectionFixture<FastDigestLedgerHost>
{
    public const string Name = "fast-digest";
}

[CollectionDefinition(Name)]
public sealed class FeedCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "feed";
}

/// <summary>A host whose webhook dispatcher polls and retries quickly, and may reach the tests' loopback receivers.</summary>
public sealed class WebhookLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Events:Heartbeat"] = "00:00:00.300",
        ["Ledger:Webhooks:PollInterval"] = "00:00:00.100",
        ["Ledger:Webhooks:RetryBase"] = "00:00:00.100",
        ["Ledger:Webhooks:AllowPrivateNetworks"] = "true",
    };
}

[CollectionDefinition(Name)]
public sealed class WebhookCollection : ICollectionFixture<WebhookLedgerHost>
{
    public const string Name = "webhooks";
}

/// <summary>A host whose webhooks may not reach the service's own network, as everywhere but Development.</summary>
public sealed class GuardedWebhookLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Webhooks:PollInterval"] = "00:00:00.100",
        ["Ledger:Webhooks:RetryBase"] = "00:00:00.100",
        ["Ledger:Webhooks:AllowPrivateNetworks"] = "false",
    };
}

[CollectionDefinition(Name)]
public sealed class GuardedWebhookCollection : ICollectionFixture<GuardedWebhookLedgerHost>
{
    public const string Name = "webhook-destinations";
}

/// <summary>A host that allows each principal three requests a minute.</summary>
public sealed class RateLimitedLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:RateLimit:PermitsPerWindow"] = "3",
        ["Ledger:RateLimit:Window"] = "00:01:00",
    };
}

[CollectionDefinition(Name)]
public sealed class RateLimitCollection : ICollectionFixture<RateLimitedLedgerHost>
{
    public const string Name = "rate-limit";
}

/// <summary>
/// A host whose OpenAPI document is linted and whose every route is driven and checked against it;
/// its webhooks may point at the loopback discard port, so that a registered one reaches no other host.
/// </summary>
public sealed class OpenApiLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Webhooks:AllowPrivateNetworks"] = "true",
    };
}

[CollectionDefinition(Name)]
public sealed class OpenApiCollection : ICollectionFixture<OpenApiLedgerHost>
{
    public const string Name = "openapi";
}
