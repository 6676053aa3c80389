using Alba;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgreementLedger.IntegrationTests.Subscriptions;

[Collection(WebhookCollection.Name)]
public sealed class WebhookTests(WebhookLedgerHost ledger)
{
    private const string Secret = "a-webhook-secret-of-some-length";

    /// <summary>A real HTTP receiver on loopback that answers 500 to its first <paramref name="failFirst"/> requests.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _attempts;

        public Receiver(int failFirst)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _app = builder.Build();
            _app.MapPost("/hook", async (HttpContext context) =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                if (Interlocked.Increment(ref _attempts) <= failFirst)
                {
                    return Results.StatusCode(500);
                }

                Received.Enqueue((body, context.Request.Headers["Ledger-Signature"].ToString()));
                return Results.Ok();
            });
        }

        public ConcurrentQueue<(string Body, string Signature)> Received { get; } = new();

        public int Attempts => _attempts;

        public string Url => _app.Urls.First() + "/hook";

        public Task StartAsync() => _app.StartAsync();

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task deliveries_are_signed_retried_after_failures_and_in_order()
    {
        await using var receiver = new Receiver(failFirst: 2);
        await receiver.StartAsync();
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url, secret = Secret }, 201);
        var subscriptionId = subscription["id"].GetString()!;
        Assert.False(subscription.Body.TryGetProperty("secret", out _));

        var id = Given.NewId("hook");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        for (var i = 0; i < 300 && receiver.Received.Count(r => r.Body.Contains(id, StringComparison.Ordinal)) < 3; i++)
        {
            await Task.Delay(50);
        }

        var ours = receiver.Received.Where(r => r.Body.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal([1L, 2L, 3L], ours.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("version").GetInt64()));
        Assert.True(receiver.Attempts >= 5, $"expected the two failures to be retried; {receiver.Attempts} attempts");
        foreach (var (body, signature) in ours)
        {
            var parts = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}")));
            Assert.Equal(expected, parts["v1"]);
            Assert.InRange(long.Parse(parts["t"], CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        }

        var status = await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}");
        Assert.Equal(0, status["status"].GetProperty("consecutiveFailures").GetInt32());
        Assert.True(status["status"].TryGetProperty("lastSuccessAt", out _));
        Assert.Equal(200, status["status"].GetProperty("lastStatus").GetInt32());
    }

    [Fact]
    public async Task a_failing_receiver_shows_its_failures_and_next_retry()
    {
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = "http://127.0.0.1:9/unreachable", secret = Secret, types = new[] { "agreement_proposed" } }, 201);
        var subscriptionId = subscription["id"].GetString()!;
        await ledger.Host.ProposedAsync(Given.NewId("unreachable"), "JP");

        Answer status = null!;
        for (var i = 0; i < 100; i++)
        {
            status = await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}");
            if (status["status"].GetProperty("consecutiveFailures").GetInt32() > 0)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.True(status["status"].GetProperty("consecutiveFailures").GetInt32() > 0);
        Assert.True(status["status"].TryGetProperty("nextAttemptAt", out _));
        Assert.True(status["status"].TryGetProperty("lastError", out _));
        Assert.Contains(subscriptionId, (await ledger.Host.GetAsync("/subscriptions")).Text, StringComparison.Ordinal);

        var deleted = await ledger.Host.Scenario(s => { s.Delete.Url($"/subscriptions/{subscriptionId}"); s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin)); s.StatusCodeShouldBe(204); });
        Assert.Equal(204, deleted.Context.Response.StatusCode);
        await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}", 404);
    }

    [Theory]
    [InlineData("{\"secret\": \"a-webhook-secret-of-some-length\"}", "url")]
    [InlineData("{\"url\": \"ftp://x.org\", \"secret\": \"a-webhook-secret-of-some-length\"}", "url")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"short\"}", "secret")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"a-webhook-secret-of-some-length\", \"types\": [\"nope\"]}", "types")]
    public async Task rejects_invalid_registrations_with_400(string body, string field)
    {
        var answer = await ledger.Host.PostRawAsync("/subscriptions", body, 400);
        Assert.True(answer["errors"].TryGetProperty(field, out _), answer.Text);
    }
}

/// <summary>The event stream's heartbeat, on the host configured with a 300 ms heartbeat.</summary>
[Collection(WebhookCollection.Name)]
public sealed class EventStreamHeartbeatTests(WebhookLedgerHost ledger)
{
    [Fact]
    public async Task a_quiet_stream_sends_heartbeat_comments()
    {
        using var client = ledger.Host.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream?types=agreement_withdrawn");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Admin);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var opening = await lines.ReadLineAsync(timeout.Token);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var heartbeats = 0;
        while (heartbeats < 2 && await lines.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == ": heartbeat")
            {
                heartbeats++;
            }
        }

        Assert.StartsWith(":", opening);
        Assert.Equal(2, heartbeats);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
    }
}
