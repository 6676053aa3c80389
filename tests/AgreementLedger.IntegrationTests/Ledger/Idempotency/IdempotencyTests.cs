using Alba;
using AgreementLedger.IntegrationTests.Support;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Ledger.Idempotency;

[Collection(IdempotencyCollection.Name)]
public sealed class IdempotencyTests(LedgerHost ledger)
{
    private static Action<Scenario> Key(string key) => s => s.WithRequestHeader("Idempotency-Key", key);

    [Fact]
    public async Task a_retry_with_the_same_key_and_body_replays_the_first_answer_and_appends_nothing()
    {
        var id = Given.NewId("idem");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var key = Guid.NewGuid().ToString();

        var first = await ledger.Host.PostRawAsync($"/agreements/{id}/signatures", "{\"party\": \"JP\", \"occurredOn\": \"2024-02-01\"}", 200, Key(key));
        var retry = await ledger.Host.PostRawAsync($"/agreements/{id}/signatures", "{ \"occurredOn\":\"2024-02-01\",\n  \"party\":\"JP\" }", 200, Key(key));

        Assert.False(first.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal("true", retry.Headers["Idempotent-Replayed"]);
        Assert.Equal(first.Text, retry.Text);
        Assert.Equal(first.ETag, retry.ETag);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_replayed_proposal_keeps_its_201_and_location()
    {
        var id = Given.NewId("idemprop");
        var body = new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() };
        var key = Guid.NewGuid().ToString();

        var first = await ledger.Host.PostAsync("/agreements", body, 201, Key(key));
        var retry = await ledger.Host.PostAsync("/agreements", body, 201, Key(key));

        Assert.Equal(first.Headers["Location"], retry.Headers["Location"]);
        Assert.Equal(first.Text, retry.Text);
        Assert.Equal("true", retry.Headers["Idempotent-Replayed"]);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task the_same_key_with_another_body_or_route_is_422_and_appends_nothing()
    {
        var id = Given.NewId("idemreuse");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        var key = Guid.NewGuid().ToString();
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP" }, 200, Key(key));

        var otherBody = await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB" }, 422, Key(key));
        var otherRoute = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { party = "JP" }, 422, Key(key));

        Assert.Equal("/problems/idempotency-key-reuse", otherBody.ProblemType);
        Assert.Equal("/problems/idempotency-key-reuse", otherRoute.ProblemType);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task refusals_are_not_stored_so_a_retry_runs_again()
    {
        var id = Given.NewId("idemrefused");
        await ledger.Host.ProposedAsync(id, "JP");
        var key = Guid.NewGuid().ToString();
        var body = new { funder = "JP", amount = 5, currency = "JPY", occurredOn = "2024-03-01" };

        var refused = await ledger.Host.PostAsync($"/agreements/{id}/funding", body, 409, Key(key));
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var accepted = await ledger.Host.PostAsync($"/agreements/{id}/funding", body, 200, Key(key));

        Assert.Equal("/problems/lifecycle-conflict", refused.ProblemType);
        Assert.False(accepted.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal("Funded", accepted["status"].GetString());
    }

    [Fact]
    public async Task a_retry_while_the_first_is_still_running_is_409_in_flight()
    {
        var id = Given.NewId("idemflight");
        await ledger.Host.ProposedAsync(id, "JP");
        var key = Guid.NewGuid().ToString();

        // Hold the agreement's stream row so that the first request blocks inside its transaction.
        await using var blocker = new NpgsqlConnection(ledger.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("select version from ledger.mt_streams where id = $1 for update", blocker, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = id });
            await lockRow.ExecuteScalarAsync();
        }

        var first = ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200, Key(key));
        await WaitForClaimAsync(key);
        var second = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 409, Key(key));
        await transaction.RollbackAsync();
        var firstAnswer = await first;

        Assert.Equal("/problems/idempotency-key-in-flight", second.ProblemType);
        Assert.Equal("\"2\"", firstAnswer.ETag);
        Assert.Equal(2, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task an_expired_key_is_forgotten()
    {
        var id = Given.NewId("idemexpired");
        await ledger.Host.ProposedAsync(id, "JP");
        var key = Guid.NewGuid().ToString();
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200, Key(key));

        await ledger.ExecuteAsync("update ledger.idempotency_keys set expires_at = now() - interval '1 second' where key = $1", key);
        var again = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-02-01" }, 200, Key(key));

        Assert.False(again.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal("\"3\"", again.ETag);
    }

    [Fact]
    public async Task a_key_longer_than_200_characters_is_400()
    {
        var id = Given.NewId("idemlong");
        await ledger.Host.ProposedAsync(id, "JP");

        var answer = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { }, 400, Key(new string('k', 201)));

        Assert.True(answer["errors"].TryGetProperty("Idempotency-Key", out _));
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    private async Task WaitForClaimAsync(string key)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await ledger.ScalarAsync<long>("select count(*) from ledger.idempotency_keys where key = $1", key) == 1)
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("The first request never claimed its key.");
    }
}
