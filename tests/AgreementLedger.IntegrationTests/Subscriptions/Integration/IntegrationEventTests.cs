using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Alba;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Subscriptions;
using JasperFx.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.Postgresql;

namespace AgreementLedger.IntegrationTests.Subscriptions.Integration;

/// <summary>What the tests compare integration messages with: the feed's own events.</summary>
internal static class IntegrationChecks
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records one agreement with several events and a refused command; returns the feed's events for it.</summary>
    public static async Task<JsonElement[]> RecordAsync(IAlbaHost host, string id)
    {
        await host.ProposedAsync(id, "JP", "GB", "IT");
        await host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200);
        await host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-03-01" }, 200);
        await host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters" }, 200);
        // Treaty law's events travel like the rest.
        await host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-02" }, 200);
        await host.PostAsync($"/agreements/{id}/reservations", new { party = "GB", kind = "declaration", text = "Art. 1", occurredOn = "2024-03-03" }, 200);
        // Refused (GB has not signed): appends nothing, so publishes nothing.
        await host.PostAsync($"/agreements/{id}/funding", new { funder = "EU", amount = 1, currency = "EUR", occurredOn = "2024-04-01" }, 409);
        return await FeedEventsAsync(host, id, 6);
    }

    public static async Task<JsonElement[]> FeedEventsAsync(IAlbaHost host, string id, int expected)
    {
        for (var attempt = 0; ; attempt++)
        {
            var page = await host.GetAsync("/events?after=0&limit=1000");
            var events = page["events"].EnumerateArray().Where(e => e.GetProperty("agreementId").GetString() == id).ToArray();
            if (events.Length >= expected || attempt == 200)
            {
                Assert.Equal(expected, events.Length);
                return events;
            }

            await Task.Delay(25);
        }
    }

    /// <summary>The message, as JSON, is the feed's event: same fields, same values, same data.</summary>
    public static void SameEvent(JsonElement feed, JsonElement message)
    {
        var expected = feed.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        var actual = message.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
        Assert.True(JsonElement.DeepEquals(feed, message), $"feed: {feed.GetRawText()}\nmessage: {message.GetRawText()}");
    }
}

/// <summary>A downstream Wolverine service listening to the ledger's PostgreSQL queue.</summary>
public static class Downstream
{
    public static Task<IHost> StartAsync(string connectionString, ConcurrentQueue<FeedEvent> received) =>
        Host.CreateDefaultBuilder()
            .UseWolverine(opts =>
            {
                opts.ServiceName = "downstream";
                opts.UsePostgresqlPersistenceAndTransport(connectionString, "downstream");
                opts.ListenToPostgresqlQueue("ledger_events").PollingInterval(TimeSpan.FromMilliseconds(100));
                opts.UseSystemTextJsonForSerialization(json => json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
                opts.Discovery.DisableConventionalDiscovery().IncludeType<DownstreamHandler>();
                opts.Durability.Mode = DurabilityMode.Solo;
                opts.Services.AddSingleton(received);
                opts.Services.AddResourceSetupOnStartup();
            }).StartAsync();
}

/// <summary>A downstream service's handler: keeps every integration message it is given.</summary>
public sealed class DownstreamHandler
{
    public static void Handle(FeedEvent message, ConcurrentQueue<FeedEvent> received) => received.Enqueue(message);
}

[CollectionDefinition(Name)]
public sealed class IntegrationPostgresCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "integration-postgresql";
}

[Collection(IntegrationPostgresCollection.Name)]
public sealed class PostgresqlQueueTests(LedgerHost ledger)
{
    [Fact]
    public async Task every_event_reaches_a_downstream_wolverine_service_through_the_postgresql_queue_once()
    {
        var received = new ConcurrentQueue<FeedEvent>();
        using var downstream = await Downstream.StartAsync(ledger.ConnectionString, received);

        var id = Given.NewId("outbox");
        var feed = await IntegrationChecks.RecordAsync(ledger.Host, id);

        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (received.Count(e => e.AgreementId == id) < feed.Length && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300); // long enough for a repeat to show up
        var mine = received.Where(e => e.AgreementId == id).OrderBy(e => e.Position).ToArray();
        Assert.Equal(feed.Select(e => e.GetProperty("position").GetInt64()), mine.Select(e => e.Position));
        for (var i = 0; i < feed.Length; i++)
        {
            IntegrationChecks.SameEvent(feed[i], JsonSerializer.SerializeToElement(mine[i], IntegrationChecks.Json));
        }

        var ready = await ledger.Host.GetAsync("/health/details");
        var cluster = ready["checks"].GetProperty("cluster").GetProperty("data");
        Assert.Contains("PostgreSQL queue 'ledger_events'", cluster.GetProperty("integrationEventsDestination").GetString(), StringComparison.Ordinal);
        Assert.Contains(cluster.GetProperty("agentsHere").EnumerateArray(), a => a.GetString()!.Contains("integration-events", StringComparison.Ordinal));
    }
}

/// <summary>A host that publishes integration events to the test run's RabbitMQ broker.</summary>
public sealed class RabbitMqLedgerHost : LedgerHost
{
    public Uri Broker { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Broker = await TestRabbitMq.UriAsync();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Ledger:Integration:RabbitMq"] = Broker.ToString(),
        ["Ledger:Integration:Exchange"] = Exchange,
    };

    public string Exchange { get; } = "ledger-test-" + Guid.NewGuid().ToString("N")[..8];
}

[CollectionDefinition(Name)]
public sealed class IntegrationRabbitMqCollection : ICollectionFixture<RabbitMqLedgerHost>
{
    public const string Name = "integration-rabbitmq";
}

[Collection(IntegrationRabbitMqCollection.Name)]
public sealed class RabbitMqTests(RabbitMqLedgerHost ledger)
{
    [Fact]
    public async Task every_event_reaches_a_real_rabbitmq_topic_exchange_routed_by_its_type()
    {
        var factory = new ConnectionFactory { Uri = ledger.Broker };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var everything = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(everything, ledger.Exchange, "#");
        var signaturesOnly = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(signaturesOnly, ledger.Exchange, "party_signed");

        var id = Given.NewId("rabbit");
        var feed = await IntegrationChecks.RecordAsync(ledger.Host, id);

        var all = await DrainAsync(channel, everything, id, feed.Length);
        Assert.Equal(feed.Select(e => e.GetProperty("position").GetInt64()), all.Select(m => m.Body.GetProperty("position").GetInt64()));
        for (var i = 0; i < feed.Length; i++)
        {
            IntegrationChecks.SameEvent(feed[i], all[i].Body);
            Assert.Equal(feed[i].GetProperty("type").GetString(), all[i].RoutingKey);
            Assert.Equal(feed[i].GetProperty("position").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), all[i].Position);
        }

        var signed = await DrainAsync(channel, signaturesOnly, id, 1);
        Assert.Equal("party_signed", Assert.Single(signed).Body.GetProperty("type").GetString());
    }

    private sealed record Delivery(string RoutingKey, string? Position, JsonElement Body);

    /// <summary>Reads the queue until <paramref name="count"/> messages of the agreement came, then a little longer for repeats.</summary>
    private static async Task<List<Delivery>> DrainAsync(IChannel channel, string queue, string id, int count)
    {
        var deliveries = new List<Delivery>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var quietUntil = DateTimeOffset.MaxValue;
        while (DateTimeOffset.UtcNow < deadline && DateTimeOffset.UtcNow < quietUntil)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: true);
            if (got is null)
            {
                await Task.Delay(50);
                continue;
            }

            var body = JsonDocument.Parse(got.Body).RootElement.Clone();
            if (body.GetProperty("agreementId").GetString() != id)
            {
                continue;
            }

            var position = got.BasicProperties.Headers is { } headers && headers.TryGetValue("ledger-position", out var value) && value is byte[] bytes
                ? Encoding.UTF8.GetString(bytes)
                : null;
            deliveries.Add(new Delivery(got.RoutingKey, position, body));
            if (deliveries.Count == count)
            {
                quietUntil = DateTimeOffset.UtcNow.AddMilliseconds(500);
            }
        }

        return deliveries.OrderBy(d => d.Body.GetProperty("position").GetInt64()).ToList();
    }
}
