using System.Net.Http.Headers;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Subscriptions;

/// <summary>A host that counts a token's expiry with one second of clock skew, so a stream's end can be waited for.</summary>
public sealed class StreamLimitsLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Auth:ClockSkew"] = "00:00:01",
    };
}

[CollectionDefinition(Name)]
public sealed class StreamLimitsCollection : ICollectionFixture<StreamLimitsLedgerHost>
{
    public const string Name = "event-stream-limits";
}

/// <summary>docs/api.md "Subscriptions": at most eight open streams per principal on a node, a stream ends with its token, and "from now on" starts no later than the first byte.</summary>
[Collection(StreamLimitsCollection.Name)]
public sealed class EventStreamLimitsTests(StreamLimitsLedgerHost ledger)
{
    [Fact]
    public async Task a_principal_holds_at_most_eight_streams_on_a_node_and_the_ninth_is_429_with_retry_after()
    {
        using var client = ledger.Host.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var token = TestTokens.For("stream-hoarder", Roles.Subscriber);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var response = await OpenAsync(client, token, timeout.Token);
                Assert.Equal(200, (int)response.StatusCode);
                open.Add(response);
            }

            using var ninth = await OpenAsync(client, token, timeout.Token);
            Assert.Equal(429, (int)ninth.StatusCode);
            Assert.Equal("5", ninth.Headers.RetryAfter?.ToString());
            Assert.Contains("/problems/rate-limited", await ninth.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);

            // Another principal is not limited by this one's streams.
            using var other = await OpenAsync(client, TestTokens.For("someone-else", Roles.Subscriber), timeout.Token);
            Assert.Equal(200, (int)other.StatusCode);

            // Closing one makes room for one.
            open[0].Dispose();
            open.RemoveAt(0);
            var reopened = await EventuallyOpenAsync(client, token, timeout.Token);
            open.Add(reopened);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task a_stream_ends_when_the_token_that_opened_it_expires_allowing_the_clock_skew()
    {
        using var client = ledger.Host.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var token = LedgerAuth.CreateToken(TestTokens.Key, "short-lived", [Roles.Subscriber], TimeSpan.FromSeconds(3));
        var expires = DateTimeOffset.FromUnixTimeSeconds(new System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler().ReadJwtToken(token).Payload.Expiration!.Value);

        using var response = await OpenAsync(client, token, timeout.Token);
        Assert.Equal(200, (int)response.StatusCode);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await lines.ReadLineAsync(timeout.Token) is not null)
        {
            // Heartbeats and nothing else, until the service ends the stream.
        }

        var ended = DateTimeOffset.UtcNow;
        Assert.True(ended >= expires, $"the stream ended at {ended:O}, before its token expired at {expires:O}");
        Assert.True(ended < expires + TimeSpan.FromSeconds(5), $"the stream outlived its token (expired {expires:O}) until {ended:O}");

        // Its place is free again, and the expired token opens nothing.
        using var again = await OpenAsync(client, token, timeout.Token);
        Assert.Equal(401, (int)again.StatusCode);
    }

    [Fact]
    public async Task an_event_committed_once_the_client_has_the_headers_is_delivered_even_while_a_writer_holds_the_safe_position_back()
    {
        var id = Given.NewId("from-now");
        await ledger.Host.ProposedAsync(id, "JP");
        using var client = ledger.Host.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // A transaction writing events holds the safe position back while the stream opens.
        await using var holder = new Npgsql.NpgsqlConnection(ledger.ConnectionString);
        await holder.OpenAsync(timeout.Token);
        var writing = await holder.BeginTransactionAsync(timeout.Token);
        await using (var take = new Npgsql.NpgsqlCommand("lock table ledger.mt_events in row exclusive mode", holder, writing))
        {
            await take.ExecuteNonQueryAsync(timeout.Token);
        }

        // A feed reader finds the safe position first and waits for that writer, holding the node's
        // safe-position lookup (readers share one); the stream opens behind it.
        using var reader = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/events?after=0");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Admin);
            try
            {
                using var _ = await client.SendAsync(request, reader.Token);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Task.Delay(300, timeout.Token);
        var opening = OpenAsync(client, TestTokens.For("follower", Roles.Subscriber), timeout.Token);
        var headersFirst = await Task.WhenAny(opening, Task.Delay(1000, timeout.Token)) == opening;

        // Committed now: after the headers if the client already has them. Then the reader gives up, so
        // the stream's own lookup runs, after that commit.
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "During", occurredOn = "2024-02-01" }, 200);
        await reader.CancelAsync();
        await reading;
        await Task.Delay(300, timeout.Token);
        await writing.RollbackAsync(timeout.Token);
        using var response = await opening;
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "After", occurredOn = "2024-02-01" }, 200);

        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var versions = new List<long>();
        while (!versions.Contains(3) && await lines.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var data = System.Text.Json.JsonDocument.Parse(line[6..]);
                if (data.RootElement.GetProperty("agreementId").GetString() == id)
                {
                    versions.Add(data.RootElement.GetProperty("version").GetInt64());
                }
            }
        }

        // Whatever was committed after the client had the headers arrives. With the start fixed first the
        // headers wait for the writer, so only the later event is owed (the first may come too).
        Assert.Contains(3L, versions);
        if (headersFirst)
        {
            Assert.Contains(2L, versions);
        }
    }

    private static Task<HttpResponseMessage> OpenAsync(HttpClient client, string token, CancellationToken ct) => client.OpenStreamAsync(token, ct);

    private static async Task<HttpResponseMessage> EventuallyOpenAsync(HttpClient client, string token, CancellationToken ct)
    {
        while (true)
        {
            var response = await OpenAsync(client, token, ct);
            if ((int)response.StatusCode == 200)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100, ct);
        }
    }
}
