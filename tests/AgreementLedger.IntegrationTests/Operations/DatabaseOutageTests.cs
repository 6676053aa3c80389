using AgreementLedger.IntegrationTests.Infrastructure;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>A host that reaches PostgreSQL through a relay the tests can cut.</summary>
public sealed class OutageLedgerHost : LedgerHost
{
    public TcpForwarder Relay { get; private set; } = null!;

    protected override string ServiceConnectionString(string direct)
    {
        var builder = new NpgsqlConnectionStringBuilder(direct);
        Relay = new TcpForwarder(builder.Port);
        builder.Host = "127.0.0.1";
        builder.Port = Relay.Port;
        builder.Timeout = 3;
        return builder.ConnectionString;
    }

    public override async Task DisposeAsync()
    {
        Relay.Open();
        await base.DisposeAsync();
        await Relay.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OutageCollection : ICollectionFixture<OutageLedgerHost>
{
    public const string Name = "database-outage";
}

[Collection(OutageCollection.Name)]
public sealed class DatabaseOutageTests(OutageLedgerHost ledger)
{
    [Fact]
    public async Task while_the_database_is_unreachable_requests_get_503_with_retry_after_and_nothing_is_appended()
    {
        var id = Given.NewId("outage");
        var never = Given.NewId("outage-never");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var cite = new { publisher = "Reuters", url = "https://example.org/outage", publishedOn = "2024-01-11" };

        ledger.Relay.Cut();
        try
        {
            var command = await ledger.Host.PostAsync($"/agreements/{id}/sources", cite, 503);
            Assert.Equal("5", command.Headers["Retry-After"]);
            Assert.Equal("Database unavailable", command["title"].GetString());
            Assert.EndsWith("unavailable", command["type"].GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Npgsql", command.Text, StringComparison.Ordinal);
            await ledger.Host.PostAsync("/agreements", new
            {
                id = never, title = "Never recorded", kind = "partnership", parties = new[] { "KR" }, areas = new[] { "defence-industry" }, occurredOn = "2024-01-10",
            }, 503);
            await ledger.Host.GetAsync($"/agreements/{id}", 503);
            await ledger.Host.GetAsync("/health/ready", 503);
        }
        finally
        {
            ledger.Relay.Open();
        }

        // Back: the client's retry (after Retry-After) is recorded once; the refused attempts left nothing.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var status = 0;
        while (status != 200 && DateTime.UtcNow < deadline)
        {
            var answer = await ledger.Host.Scenario(s =>
            {
                s.Post.Json(cite).ToUrl($"/agreements/{id}/sources");
                s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                s.IgnoreStatusCode();
            });
            status = answer.Context.Response.StatusCode;
            Assert.True(status is 200 or 503, $"answered {status} while the database came back");
            if (status != 200)
            {
                await Task.Delay(250);
            }
        }

        Assert.Equal(200, status);
        Assert.Equal(2, await ledger.EventCountAsync(id));
        Assert.Equal(0, await ledger.EventCountAsync(never));
    }
}
