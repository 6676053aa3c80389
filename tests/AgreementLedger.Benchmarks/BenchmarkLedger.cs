using Alba;
using AgreementLedger.Agreements;
using AgreementLedger.LocalPostgres;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// The service in-process (Alba, real HTTP pipeline) on a throwaway PostgreSQL cluster started
/// from the machine's binaries, with fsync on, as in production. One per benchmark class.
/// </summary>
public sealed class BenchmarkLedger : IAsyncDisposable
{
    private LocalPostgresCluster _cluster = null!;
    private bool _ownsCluster;

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>GET <paramref name="url"/> through the in-memory host as the admin, answered 200.</summary>
    public Task<Alba.IScenarioResult> GetOkAsync(string url) =>
        Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", AdminBearer);
            s.StatusCodeShouldBeOk();
        });

    public string ConnectionString { get; private set; } = "";

    private static readonly string SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The digest signing key (base64 PKCS#8) of every host and service process of one benchmark run: outside
    /// Development the service refuses to start without one, and a restarted service still verifies what it kept.
    /// </summary>
    public static readonly string AuditSigningKey = Convert.ToBase64String(
        System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKey());
    /// <summary>The key webhook secrets are sealed with, for every host and service process of one benchmark run (required outside Development).</summary>
    public static readonly string WebhookSecretKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>"Authorization" header value for an admin token the benchmark host accepts.</summary>
    public static readonly string AdminBearer = "Bearer " + AgreementLedger.Infrastructure.Auth.LedgerAuth.CreateToken(SigningKey, "bench", ["admin"], TimeSpan.FromHours(12));

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public StoredEvents Events => Host.Services.GetRequiredService<StoredEvents>();

    /// <summary>A host on a throwaway cluster of its own, stopped with the host.</summary>
    public static async Task<BenchmarkLedger> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "agreement-ledger-bench", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(root));
        try
        {
            var ledger = await StartAsync(cluster, "bench", settings);
            ledger._ownsCluster = true;
            return ledger;
        }
        catch
        {
            // Never leave a cluster running behind a failed start.
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>A host on a new database of a cluster the caller owns.</summary>
    public static async Task<BenchmarkLedger> StartAsync(LocalPostgresCluster cluster, string database, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ledger = new BenchmarkLedger { _cluster = cluster };
        await cluster.EnsureDatabaseAsync(database);
        // As the superuser, as before the service had a role of its own: the workloads also truncate and checkpoint.
        ledger.ConnectionString = cluster.SuperuserConnectionString(database);
        // Run from any folder: the test host would otherwise look for the API project beside the solution.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_AGREEMENTLEDGER_API", AppContext.BaseDirectory);
        ledger.Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Benchmark");
            builder.UseSetting("ConnectionStrings:Ledger", ledger.ConnectionString);
            builder.UseSetting("Ledger:Auth:SigningKey", SigningKey);
            builder.UseSetting("Ledger:Audit:SigningKey", AuditSigningKey);
            builder.UseSetting("Ledger:Webhooks:SecretKey", WebhookSecretKey);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:AgreementLedger.Agreements.Seeding", "Information");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services => services.RunWolverineInSoloMode());
        });
        return ledger;
    }

    /// <summary>The signing key the hosts accept tokens of; separate service processes get it too.</summary>
    public static string TokenKey => SigningKey;

    /// <summary>
    /// Records an agreement with <paramref name="count"/> events (the proposal, then source citations),
    /// each recorded one millisecond after the previous; the instant of the last one.
    /// </summary>
    public async Task<DateTimeOffset> RecordAsync(string id, int count)
    {
        var serializer = Store.Options.Serializer();
        var agreement = new Agreement();
        var start = new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var day = new DateOnly(2024, 1, 1);
        for (var first = 1; first <= count; first += 1000)
        {
            await using var session = Store.LightweightSession();
            var batch = new List<object>();
            for (var version = first; version < first + 1000 && version <= count; version++)
            {
                IAgreementEvent @event = version == 1
                    ? new AgreementProposed(id, "Benchmark agreement", "treaty", ["JP", "GB"], ["defence-industry"], null, day, [])
                    : new SourceCited("Reuters", $"https://example.org/{version}", day, null, day);
                (var stamped, agreement) = agreement.Append(id, @event, start.AddMilliseconds(version), "bench", serializer);
                batch.Add(stamped);
            }

            if (first == 1)
            {
                session.Events.StartStream<Agreement>(id, [.. batch]);
            }
            else
            {
                session.Events.Append(id, [.. batch]);
            }

            await session.SaveChangesAsync();
        }

        return start.AddMilliseconds(count);
    }

    /// <summary>
    /// The agreement of <see cref="RecordAsync"/> (the proposal, then source citations, or what <paramref name="later"/>
    /// makes of each later version and the day) brought in by the bulk
    /// import, which admits and folds each event once and writes the snapshot once. Recorded through a session
    /// instead, 100,000 events had not finished after 25 minutes (a profile showed Marten's inline projection in
    /// <c>Lifecycle.Replay</c> for the events it applied). The instant of the last event.
    /// </summary>
    public async Task<DateTimeOffset> ImportAsync(string id, int count, Func<int, DateOnly, IAgreementEvent>? later = null)
    {
        var day = new DateOnly(2024, 1, 1);
        later ??= (version, on) => new SourceCited("Reuters", $"https://example.org/{version}", on, null, on);
        IAgreementEvent[] events =
        [
            new AgreementProposed(id, "Benchmark agreement", "treaty", ["JP", "GB"], ["defence-industry"], null, day, []),
            .. Enumerable.Range(2, count - 1).Select(version => later(version, day)),
        ];
        await Host.Services.GetRequiredService<Agreements.Seeding.BulkImporter>().ImportAsync([new(id, events)], "bench", CancellationToken.None);
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var newest = new NpgsqlCommand("select max(timestamp) from ledger.mt_events where stream_id = $1", connection);
        newest.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await newest.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    /// <summary>
    /// A raw connection to the ledger's database, whose commands may run for 10 minutes: a <c>COPY</c> of 10,000,000
    /// events takes longer than Npgsql's default 30 s to complete after its last row.
    /// </summary>
    public NpgsqlConnection Connect() => new(new NpgsqlConnectionStringBuilder(ConnectionString) { CommandTimeout = 600 }.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (_ownsCluster)
        {
            await _cluster.StopAsync();
            Directory.Delete(_cluster.Root, recursive: true);
        }
    }
}
