using AgreementLedger.IntegrationTests.Support;
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

    [Fact]
    public async Task a_keyed_command_cut_off_by_the_outage_is_recorded_once_when_retried_with_its_key_after_the_database_is_back()
    {
        var id = Given.NewId("outage-keyed");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var cite = new { publisher = "Reuters", url = "https://example.org/outage-keyed", publishedOn = "2024-01-12" };
        var key = "outage-" + Guid.NewGuid();

        // Hold the agreement's stream row so that the command, once it has claimed its key, waits
        // inside the database; then the database goes away under it.
        await using var holder = new NpgsqlConnection(ledger.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select 1 from ledger.mt_streams where id = $1 for update", holder, hold))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = id });
            await lockRow.ExecuteScalarAsync();
        }

        var first = SendAsync(id, cite, key);
        await Eventually(async () => await ledger.ScalarAsync<long>(
            "select count(*) from ledger.idempotency_keys where key = $1 and state = 'running'", key) == 1, "the key is claimed");
        await Eventually(async () => await ledger.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") >= 1, "the command waits for the row");

        ledger.Relay.Cut();
        int firstStatus;
        try
        {
            firstStatus = await first;
        }
        finally
        {
            await hold.RollbackAsync();
            ledger.Relay.Open();
        }

        Assert.Equal(503, firstStatus);

        // The client retries with the same key after Retry-After. Until the claim of the cut-off
        // attempt is released it may hear 409 in-flight or 503; it must then be recorded, once —
        // not refused as in flight for the whole two-minute lease.
        var statuses = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((statuses.Count == 0 || statuses[^1] != 200) && DateTime.UtcNow < deadline)
        {
            statuses.Add(await SendAsync(id, cite, key));
            if (statuses[^1] != 200)
            {
                await Task.Delay(250);
            }
        }

        Assert.True(statuses[^1] == 200, "answers to the retries: " + string.Join(", ", statuses));
        Assert.All(statuses, s => Assert.Contains(s, new[] { 200, 409, 503 }));
        Assert.Equal(2, await ledger.EventCountAsync(id));
        // A further retry is the stored answer again, appending nothing.
        Assert.Equal(200, await SendAsync(id, cite, key));
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_command_whose_commit_answer_is_lost_answers_503_and_its_retry_with_the_key_answers_what_was_committed()
    {
        var id = Given.NewId("lost-commit");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var cite = new { publisher = "Reuters", url = "https://example.org/lost-commit", publishedOn = "2024-01-12" };
        var key = "lost-" + Guid.NewGuid();

        var lost = ledger.Relay.LoseNextCommitAnswerAfter(id);
        var first = await SendAsync(id, cite, key);

        // Committed, so never a 4xx: 503 (the outcome was unknown to the service) or, should the
        // driver's retry of the commit have learnt it, 200.
        Assert.True(lost.IsCompleted, "the relay never saw the command's commit");
        Assert.Contains(first, new[] { 503, 200 });
        Assert.Equal(2, await ledger.EventCountAsync(id));

        // The retry with the same key answers what was committed.
        var retry = await ledger.Host.Scenario(s =>
        {
            s.Post.Json(cite).ToUrl($"/agreements/{id}/sources");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.WithRequestHeader("Idempotency-Key", key);
            s.StatusCodeShouldBe(200);
        });
        var answer = await Answer.From(retry);
        Assert.Equal("true", answer.Headers["Idempotent-Replayed"]);
        Assert.Equal("\"2\"", answer.ETag);
        Assert.Equal(2, answer["version"].GetInt64());
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    private async Task<int> SendAsync(string id, object body, string key)
    {
        var answer = await ledger.Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/agreements/{id}/sources");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.WithRequestHeader("Idempotency-Key", key);
            s.IgnoreStatusCode();
        });
        return answer.Context.Response.StatusCode;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
