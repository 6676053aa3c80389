using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace AgreementLedger.Client;

/// <summary>The feed, the stream and the webhooks (docs/api.md, "Subscriptions", "Webhooks").</summary>
public sealed partial class LedgerClient
{
    // Subscriptions (role subscriber)

    /// <summary>One page of <c>GET /events</c> after <paramref name="after"/>; store <see cref="FeedPage.Next"/> once processed.</summary>
    public async Task<FeedPage> GetEventsAsync(long after = 0, int? limit = null, IEnumerable<string>? types = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("events", ("after", Number(after)), ("limit", Number(limit)), ("types", Types(types))), ct);
        return (await AnswerAsync<FeedPage>(response, null, ct)).Value;
    }

    /// <summary>
    /// <c>GET /events/stream</c>: the events after <paramref name="lastEventId"/> (or, when null, those
    /// committed from now on) as they are committed. It ends when the service ends the stream
    /// (token expiry, shutdown) or the connection fails; <see cref="FeedFollower"/> resumes it.
    /// </summary>
    public IAsyncEnumerable<LedgerEvent> StreamEventsAsync(long? lastEventId = null, IEnumerable<string>? types = null, CancellationToken ct = default) =>
        StreamEventsAsync(lastEventId, types, onActivity: null, ct);

    /// <summary>The stream, calling <paramref name="onActivity"/> whenever bytes arrive (events and heartbeats alike).</summary>
    internal async IAsyncEnumerable<LedgerEvent> StreamEventsAsync(long? lastEventId, IEnumerable<string>? types, Action? onActivity, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, Query("events/stream", ("types", Types(types))));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastEventId is { } last)
            {
                request.Headers.TryAddWithoutValidation("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
            }

            return request;
        }, retryable: false, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var received = await response.Content.ReadAsStreamAsync(ct);
        await using var body = onActivity is null ? received : new ActivityStream(received, onActivity);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(ct))
        {
            if (item.Data.Length == 0)
            {
                continue;
            }

            yield return JsonSerializer.Deserialize<LedgerEvent>(item.Data, Json)
                ?? throw new JsonException("The stream sent an event whose data is null.");
        }
    }

    // Webhooks (role admin)

    /// <summary><c>POST /subscriptions</c> (201); retried with its <c>Idempotency-Key</c> like a command.</summary>
    public async Task<LedgerResponse<Webhook>> RegisterWebhookAsync(WebhookRegistration registration, CommandOptions? options = null, CancellationToken ct = default)
    {
        var key = KeyFor(options);
        using var response = await SendAsync(() => Command("subscriptions", registration, options, key), key is not null, HttpCompletionOption.ResponseContentRead, ct);
        return await AnswerAsync<Webhook>(response, key, ct);
    }

    /// <summary><c>GET /subscriptions</c>.</summary>
    public async Task<WebhookList> ListWebhooksAsync(CancellationToken ct = default)
    {
        using var response = await GetAsync("subscriptions", ct);
        return (await AnswerAsync<WebhookList>(response, null, ct)).Value;
    }

    /// <summary><c>GET /subscriptions/{id}</c>.</summary>
    public async Task<Webhook> GetWebhookAsync(string id, CancellationToken ct = default)
    {
        using var response = await GetAsync("subscriptions/" + Uri.EscapeDataString(id), ct);
        return (await AnswerAsync<Webhook>(response, null, ct)).Value;
    }

    /// <summary><c>DELETE /subscriptions/{id}</c> (204); an unknown id is <see cref="LedgerNotFoundException"/>.</summary>
    public async Task DeleteWebhookAsync(string id, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, "subscriptions/" + Uri.EscapeDataString(id)), retryable: true, HttpCompletionOption.ResponseContentRead, ct);
        await EnsureSuccessAsync(response, ct);
    }
}
