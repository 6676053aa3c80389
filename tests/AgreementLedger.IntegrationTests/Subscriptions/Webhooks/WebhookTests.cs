using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Subscriptions.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Subscriptions.Webhooks;

[Collection(WebhookCollection.Name)]
public sealed class WebhookTests(WebhookLedgerHost ledger)
{
    private const string Secret = "a-webhook-secret-of-some-length";

    [Fact]
    public async Task deliveries_are_signed_retried_after_failures_and_in_order()
    {
        var attempts = 0;
        await using var receiver = await WebhookReceiver.StartAsync((app, _) =>
            app.MapPost("/hook", () => Interlocked.Increment(ref attempts) <= 2 ? Results.StatusCode(500) : Results.Ok()));
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret }, 201);
        var subscriptionId = subscription["id"].GetString()!;
        Assert.False(subscription.Body.TryGetProperty("secret", out _));
        Assert.Equal(0, subscription["types"].GetArrayLength());

        var id = Given.NewId("hook");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);

        List<WebhookReceiver.Request> Delivered() => receiver.Requests.Skip(2).Where(r => r.Body.Contains(id, StringComparison.Ordinal)).ToList();
        await WebhookWaits.UntilAsync(() => Delivered().Count >= 3, TimeSpan.FromSeconds(15));

        var ours = Delivered();
        Assert.Equal([1L, 2L, 3L], ours.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("version").GetInt64()));
        Assert.True(attempts >= 5, $"expected the two failures to be retried; {attempts} attempts");
        foreach (var delivered in ours)
        {
            // Each body carries its event's leaf index: its ordinal in position order, as the database counts it.
            var body = JsonDocument.Parse(delivered.Body).RootElement;
            var ordinal = await ledger.ScalarAsync<long>("select count(*) - 1 from ledger.mt_events where seq_id <= $1", body.GetProperty("position").GetInt64());
            Assert.Equal(ordinal, body.GetProperty("leafIndex").GetInt64());
        }

        foreach (var (_, _, body, signature) in ours)
        {
            var parts = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body}")));
            Assert.Equal(expected, parts["v1"]);
            Assert.InRange(long.Parse(parts["t"], CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

            // The client's verifier, as a receiver built on it checks a delivery: accepted, and refused once altered or too old.
            var bytes = Encoding.UTF8.GetBytes(body);
            Assert.True(AgreementLedger.Client.WebhookSignature.IsValid(Secret, signature, bytes, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow));
            Assert.False(AgreementLedger.Client.WebhookSignature.IsValid(Secret, signature, Encoding.UTF8.GetBytes(body.Replace(id, id + "x", StringComparison.Ordinal)), TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow));
            Assert.False(AgreementLedger.Client.WebhookSignature.IsValid(Secret, signature, bytes, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddMinutes(10)));
        }

        var status = await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}");
        Assert.Equal(0, status.Failures());
        Assert.True(status["status"].TryGetProperty("lastSuccessAt", out _));
        Assert.Equal(200, status.LastStatus());
    }

    [Fact]
    public async Task the_secret_is_stored_sealed_so_the_database_alone_cannot_sign()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscriptionId = (await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret }, 201))["id"].GetString()!;

        var stored = await ledger.ScalarAsync<string>("select secret from ledger.webhook_subscriptions where id = $1", subscriptionId);

        Assert.DoesNotContain(Secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)), stored, StringComparison.Ordinal);
        Assert.StartsWith("v1.", stored, StringComparison.Ordinal);
        Assert.True(await ledger.ScalarAsync<bool>("select secret_sealed from ledger.webhook_subscriptions where id = $1", subscriptionId));
        // Sealed per subscription: the same secret registered twice is stored differently.
        var again = (await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret }, 201))["id"].GetString()!;
        Assert.NotEqual(stored, await ledger.ScalarAsync<string>("select secret from ledger.webhook_subscriptions where id = $1", again));
        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
        await ledger.Host.DeleteSubscriptionAsync(again);
    }

    [Fact]
    public async Task a_failing_receiver_shows_its_failures_and_next_retry_in_words_without_its_address()
    {
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = "http://127.0.0.1:9/unreachable", secret = Secret, types = new[] { "agreement_proposed" } }, 201);
        var subscriptionId = subscription["id"].GetString()!;
        await ledger.Host.ProposedAsync(Given.NewId("unreachable"), "JP");

        var status = await ledger.Host.WaitAsync(subscriptionId, s => s.Failures() > 0);

        Assert.True(status.Failures() > 0);
        Assert.True(status["status"].TryGetProperty("nextAttemptAt", out _));
        Assert.Equal("connection refused", status.LastError());
        Assert.Null(status.LastStatus());
        Assert.Contains(subscriptionId, (await ledger.Host.GetAsync("/subscriptions")).Text, StringComparison.Ordinal);

        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
        await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}", 404);
    }

    [Fact]
    public async Task a_redirect_is_not_followed_and_the_delivery_counts_as_failed()
    {
        await using var receiver = await WebhookReceiver.StartAsync((app, _) =>
        {
            app.MapPost("/hook", (HttpContext context) => Results.Redirect("/landing", permanent: false, preserveMethod: true));
            app.MapPost("/landing", () => Results.Ok());
        });
        var subscriptionId = (await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret }, 201))["id"].GetString()!;
        await ledger.Host.ProposedAsync(Given.NewId("redirect"), "JP");

        var status = await ledger.Host.WaitAsync(subscriptionId, s => s.Failures() >= 2);

        Assert.True(status.Failures() >= 2, status.Text);
        Assert.Equal(307, status.LastStatus());
        Assert.Equal("status 307 (redirects are not followed)", status.LastError());
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/landing");
        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
    }

    [Fact]
    public async Task a_receiver_streaming_an_endless_answer_is_read_for_at_most_64_kib()
    {
        // A plain socket, so that what it manages to send is bounded by what the dispatcher reads plus
        // the kernel's buffers, not by how soon a web server notices the connection has gone.
        const long cap = 256L * 1024 * 1024;
        long written = 0;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var request = new byte[64 * 1024];
            await socket.ReceiveAsync(request);
            var chunk = new byte[64 * 1024];
            try
            {
                await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {cap}\r\n\r\n"));
                while (written < cap)
                {
                    written += await socket.SendAsync(chunk);
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The dispatcher closed the connection once it had read its fill.
            }
        });
        var subscriptionId = (await ledger.Host.PostAsync("/subscriptions", new { url = $"http://127.0.0.1:{port}/hook", secret = Secret }, 201))["id"].GetString()!;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await ledger.Host.ProposedAsync(Given.NewId("stream"), "JP");

        var status = await ledger.Host.WaitAsync(subscriptionId, s => s.LastStatus() is not null);
        await serving.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(200, status.LastStatus());
        Assert.Equal(0, status.Failures());
        // Well within the 10 s delivery timeout, and the receiver got to send no more than the read
        // 64 KiB plus what the two sockets buffer on loopback before the closed connection refuses more.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.True(Interlocked.Read(ref written) < 32L * 1024 * 1024, $"the receiver sent {Interlocked.Read(ref written)} bytes");
        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
    }

    [Fact]
    public async Task a_registration_retried_with_its_idempotency_key_answers_the_same_subscription_and_adds_none()
    {
        var key = "register-" + Guid.NewGuid();
        var body = new { url = "http://127.0.0.1:9/idempotent", secret = Secret, types = new[] { "party_signed" } };
        void Keyed(Alba.Scenario s) => s.WithRequestHeader("Idempotency-Key", key);
        var before = (await ledger.Host.GetAsync("/subscriptions"))["items"].GetArrayLength();

        var first = await ledger.Host.PostAsync("/subscriptions", body, 201, Keyed);
        var again = await ledger.Host.PostAsync("/subscriptions", body, 201, Keyed);
        var other = await ledger.Host.PostAsync("/subscriptions", new { url = "http://127.0.0.1:9/other", secret = Secret }, 422, Keyed);

        Assert.Equal("true", again.Headers["Idempotent-Replayed"]);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(first.Headers["Location"], again.Headers["Location"]);
        Assert.Equal("/problems/idempotency-key-reuse", other.ProblemType);
        Assert.Equal(before + 1, (await ledger.Host.GetAsync("/subscriptions"))["items"].GetArrayLength());
        await ledger.Host.DeleteSubscriptionAsync(first["id"].GetString()!);
    }

    [Fact]
    public async Task a_receiver_that_never_answers_holds_back_only_its_own_subscription()
    {
        await using var hanging = await WebhookReceiver.StartAsync((app, receiver) => app.MapPost("/hook", async (HttpContext context) =>
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, receiver.Stopping);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Ok();
        }));
        await using var live = await WebhookReceiver.StartAsync();
        // Registered first, so a dispatcher working through due subscriptions one by one meets it first.
        var stuck = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            stuck.Add((await ledger.Host.PostAsync("/subscriptions", new { url = hanging.Url(), secret = Secret }, 201))["id"].GetString()!);
        }

        var liveId = (await ledger.Host.PostAsync("/subscriptions", new { url = live.Url(), secret = Secret }, 201))["id"].GetString()!;
        var id = Given.NewId("starve");
        await ledger.Host.ProposedAsync(id, "JP");
        await WebhookWaits.UntilAsync(() => hanging.Requests.Count >= 3, TimeSpan.FromSeconds(5));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await WebhookWaits.UntilAsync(() => live.Requests.Any(r => r.Body.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(8));

        // The hanging requests run to the 10 s timeout; the live receiver did not wait for them.
        Assert.Contains(live.Requests, r => r.Body.Contains(id, StringComparison.Ordinal));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the live receiver waited {watch.Elapsed} behind the hanging ones");
        Assert.Equal(3, hanging.Requests.Count);
        foreach (var subscriptionId in stuck.Append(liveId))
        {
            await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
        }
    }

    [Fact]
    public async Task a_dispatcher_whose_lease_was_taken_over_records_nothing_more_and_stops()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        await using var receiver = await WebhookReceiver.StartAsync((app, _) => app.MapPost("/hook", async () =>
        {
            // The first request stalls: its dispatcher is, as far as the others can tell, a dead node.
            if (Interlocked.Increment(ref first) == 1)
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(8));
            }

            return Results.Ok();
        }));
        var second = ActivatorUtilities.CreateInstance<WebhookDispatcher>(ledger.Host.Services);
        await second.StartAsync(CancellationToken.None);
        try
        {
            var subscriptionId = (await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret }, 201))["id"].GetString()!;
            var id = Given.NewId("lease");
            await ledger.Host.ProposedAsync(id, "JP");
            for (var i = 0; i < 4; i++)
            {
                await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = $"P{i}" }, 200);
            }

            await WebhookWaits.UntilAsync(() => !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(5));
            var stalled = Assert.Single(receiver.Requests).Position;
            // The stalled holder's lease lapses (as it would after three timeouts); the other dispatcher takes over.
            await ledger.ExecuteAsync("update ledger.webhook_subscriptions set lease_until = clock_timestamp() - interval '1 second' where id = $1", subscriptionId);
            await WebhookWaits.UntilAsync(() => receiver.Requests.Count >= 6, TimeSpan.FromSeconds(5));
            var positions = receiver.Positions().ToList();
            Assert.Equal(6, positions.Count);

            release.SetResult();
            await Task.Delay(1_500);

            // The takeover redelivers the stalled event (at least once), then the rest in order; the stalled
            // dispatcher, once answered, finds the lease another's and records and sends nothing more.
            Assert.Equal(positions, receiver.Positions());
            Assert.Equal(stalled, positions[1]);
            Assert.Equal(positions.Skip(1).Order(), positions.Skip(1));
            Assert.Equal(5, positions.Skip(1).Distinct().Count());
            var status = await ledger.Host.GetAsync($"/subscriptions/{subscriptionId}");
            Assert.Equal(positions[^1], status["position"].GetInt64());
            Assert.Equal(0, status.Failures());
            await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
        }
        finally
        {
            release.TrySetResult();
            await second.StopAsync(CancellationToken.None);
            second.Dispose();
        }
    }

    [Fact]
    public async Task type_names_are_stored_as_given_and_each_one_matches()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret, types = new[] { "party_signed", "terms_agreed", "party_signed" } }, 201);
        var subscriptionId = subscription["id"].GetString()!;
        Assert.Equal(["party_signed", "terms_agreed"], subscription["types"].EnumerateArray().Select(t => t.GetString()));

        var id = Given.NewId("types");
        await ledger.Host.SignedAsync(id, "JP");
        await WebhookWaits.UntilAsync(() => receiver.Requests.Any(r => r.Body.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(10));

        Assert.Equal(["party_signed"], receiver.Requests.Where(r => r.Body.Contains(id, StringComparison.Ordinal)).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()));
        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
    }

    [Fact]
    public async Task treaty_law_events_are_delivered_to_a_subscription_for_their_types()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = receiver.Url(), secret = Secret, types = new[] { "consent_expressed", "entered_into_force" } }, 201);
        var subscriptionId = subscription["id"].GetString()!;

        var id = Given.NewId("treaty-hook");
        await ledger.Host.SignedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/consents", new { party = "JP", instrument = "ratification", occurredOn = "2024-03-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/entry-into-force", new { occurredOn = "2024-04-01" }, 200);
        await WebhookWaits.UntilAsync(() => receiver.Requests.Count(r => r.Body.Contains(id, StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(10));

        var delivered = receiver.Requests.Where(r => r.Body.Contains(id, StringComparison.Ordinal)).Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["consent_expressed", "entered_into_force"], delivered.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("JP", delivered[1].GetProperty("data").GetProperty("parties")[0].GetString());
        await ledger.Host.DeleteSubscriptionAsync(subscriptionId);
    }

    [Theory]
    [InlineData("{\"secret\": \"a-webhook-secret-of-some-length\"}", "url")]
    [InlineData("{\"url\": \"ftp://x.org\", \"secret\": \"a-webhook-secret-of-some-length\"}", "url")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"short\"}", "secret")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"a-webhook-secret-of-some-length\", \"types\": [\"nope\"]}", "types")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"a-webhook-secret-of-some-length\", \"types\": [\"party_signed,terms_agreed\"]}", "types")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"a-webhook-secret-of-some-length\", \"types\": [\" party_signed\"]}", "types")]
    [InlineData("{\"url\": \"https://x.org\", \"secret\": \"a-webhook-secret-of-some-length\", \"types\": [\"party_signed\", \"\"]}", "types")]
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
        using var response = await client.OpenStreamAsync(TestTokens.Admin, timeout.Token, query: "?types=agreement_withdrawn");
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
