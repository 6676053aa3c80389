using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgreementLedger.Client;

/// <summary>
/// The AgreementLedger HTTP API (docs/api.md) over an <see cref="HttpClient"/> whose
/// <c>BaseAddress</c> is the service. Every refusal is a <see cref="LedgerProblemException"/>
/// carrying the service's problem; 503s and lost connections are retried as
/// <see cref="LedgerClientOptions"/> says, commands always with their <c>Idempotency-Key</c>.
/// </summary>
public sealed class LedgerClient
{
    /// <summary>camelCase, nulls left out (an absent optional member and a null one are the same to the service).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly LedgerClientOptions _options;

    /// <summary>A client of the service at <paramref name="http"/>'s <c>BaseAddress</c> (end it with '/' when it has a path).</summary>
    public LedgerClient(HttpClient http, LedgerClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the service's URL.", nameof(http));
        }

        _http = http;
        _options = options ?? new LedgerClientOptions();
    }

    // Commands (role recorder)

    /// <summary><c>POST /agreements</c> (201): answers the new agreement's state, its <c>Location</c> and version 1.</summary>
    public Task<LedgerResponse<AgreementState>> ProposeAsync(Proposal proposal, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync("agreements", proposal, options, ct);

    /// <summary><c>POST /agreements/{id}/negotiation-rounds</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> HoldNegotiationRoundAsync(string id, NegotiationRound round, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "negotiation-rounds"), round, options, ct);

    /// <summary><c>POST /agreements/{id}/terms-agreed</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> AgreeTermsAsync(string id, TermsAgreement terms, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "terms-agreed"), terms, options, ct);

    /// <summary><c>POST /agreements/{id}/signatures</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SignAsync(string id, Signature signature, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "signatures"), signature, options, ct);

    /// <summary><c>POST /agreements/{id}/parties</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> JoinAsync(string id, Accession accession, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "parties"), accession, options, ct);

    /// <summary><c>POST /agreements/{id}/deliverables</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> PlanDeliverableAsync(string id, DeliverablePlan plan, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "deliverables"), plan, options, ct);

    /// <summary><c>POST /agreements/{id}/funding</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> CommitFundingAsync(string id, FundingCommitment funding, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "funding"), funding, options, ct);

    /// <summary><c>POST /agreements/{id}/deliveries</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> RecordDeliveryAsync(string id, Delivery delivery, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "deliveries"), delivery, options, ct);

    /// <summary><c>POST /agreements/{id}/targets</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SetTargetAsync(string id, Target target, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "targets"), target, options, ct);

    /// <summary><c>POST /agreements/{id}/sources</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> CiteSourceAsync(string id, Citation citation, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "sources"), citation, options, ct);

    /// <summary><c>POST /agreements/{id}/amendments</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> AmendAsync(string id, Amendment amendment, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "amendments"), amendment, options, ct);

    /// <summary><c>POST /agreements/{id}/suspension</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> SuspendAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "suspension"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/resumption</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> ResumeAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "resumption"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/termination</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> TerminateAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "termination"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/withdrawal</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> WithdrawAsync(string id, StandingChange change, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "withdrawal"), change, options, ct);

    /// <summary><c>POST /agreements/{id}/retractions</c>: answers the agreement's state and version.</summary>
    public Task<LedgerResponse<AgreementState>> RetractAsync(string id, Retraction retraction, CommandOptions? options = null, CancellationToken ct = default) =>
        CommandAsync(On(id, "retractions"), retraction, options, ct);

    // Queries (roles recorder, auditor)

    /// <summary><c>GET /agreements/{id}</c>, now or at <paramref name="at"/>; <see cref="LedgerResponse{T}.Version"/> is its <c>ETag</c>.</summary>
    public async Task<LedgerResponse<AgreementState>> GetAgreementAsync(string id, PointInTime? at = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query(On(id), At(at)), ct);
        return await AnswerAsync<AgreementState>(response, null, ct);
    }

    /// <summary>One page of the timeline; follow <see cref="TimelinePage.Next"/> with the same <paramref name="at"/>.</summary>
    public async Task<TimelinePage> GetTimelineAsync(string id, PointInTime? at = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query(On(id, "timeline"), [.. At(at), ("limit", Number(limit)), ("cursor", cursor)]), ct);
        return (await AnswerAsync<TimelinePage>(response, null, ct)).Value;
    }

    /// <summary>The whole timeline, page after page.</summary>
    public async IAsyncEnumerable<TimelineEntry> ReadTimelineAsync(string id, PointInTime? at = null, int pageSize = 1000, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var page = await GetTimelineAsync(id, at, pageSize, cursor, ct);
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }

            cursor = page.Next;
        }
        while (cursor is not null);
    }

    /// <summary>One page of <c>GET /agreements</c> (by id); follow <see cref="AgreementPage.Next"/> with the same filter.</summary>
    public async Task<AgreementPage> ListAgreementsAsync(AgreementFilter? filter = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        filter ??= new AgreementFilter();
        using var response = await GetAsync(Query("agreements",
            ("party", filter.Party), ("status", filter.Status), ("area", filter.Area), ("kind", filter.Kind),
            ("asOf", Instant(filter.AsOf)), ("limit", Number(limit)), ("cursor", cursor)), ct);
        return (await AnswerAsync<AgreementPage>(response, null, ct)).Value;
    }

    /// <summary>Every agreement the filter matches, page after page.</summary>
    public async IAsyncEnumerable<AgreementSummary> ListAllAgreementsAsync(AgreementFilter? filter = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListAgreementsAsync(filter, pageSize, cursor, ct);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.Next;
        }
        while (cursor is not null);
    }

    /// <summary><c>GET /parties/{party}/agreements</c>.</summary>
    public async Task<PartyPortfolio> GetPartyAgreementsAsync(string party, DateTimeOffset? asOf = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query($"parties/{Uri.EscapeDataString(party)}/agreements", ("asOf", Instant(asOf))), ct);
        return (await AnswerAsync<PartyPortfolio>(response, null, ct)).Value;
    }

    // Audit (role auditor)

    /// <summary><c>GET /audit/verify</c>: the whole ledger, or one agreement.</summary>
    public async Task<VerificationReport> VerifyAsync(string? agreementId = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/verify", ("agreementId", agreementId)), ct);
        return (await AnswerAsync<VerificationReport>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/digest</c> at <paramref name="position"/>, or at the newest safe position.</summary>
    public async Task<SignedDigest> GetDigestAsync(long? position = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/digest", ("position", Number(position))), ct);
        return (await AnswerAsync<SignedDigest>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/public-key</c>: the current key first.</summary>
    public async Task<PublicKeys> GetPublicKeysAsync(CancellationToken ct = default)
    {
        using var response = await GetAsync("audit/public-key", ct);
        return (await AnswerAsync<PublicKeys>(response, null, ct)).Value;
    }

    /// <summary>Streams <c>GET /audit/export</c> (<c>ndjson</c> or <c>csv</c>) into <paramref name="destination"/>.</summary>
    public async Task ExportAsync(Stream destination, string format = "ndjson", DateTimeOffset? asOf = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, Query("audit/export", ("format", format), ("asOf", Instant(asOf)))),
            retryable: true, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await response.Content.CopyToAsync(destination, ct);
    }

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

    // The plumbing

    private async Task<LedgerResponse<AgreementState>> CommandAsync(string path, object body, CommandOptions? options, CancellationToken ct)
    {
        var key = KeyFor(options);
        using var response = await SendAsync(() => Command(path, body, options, key), retryable: key is not null, HttpCompletionOption.ResponseContentRead, ct);
        return await AnswerAsync<AgreementState>(response, key, ct);
    }

    private string? KeyFor(CommandOptions? options) =>
        options?.IdempotencyKey ?? (_options.GenerateIdempotencyKeys ? Guid.NewGuid().ToString("N") : null);

    private static HttpRequestMessage Command(string path, object body, CommandOptions? options, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, body.GetType(), options: Json) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        if (options?.ExpectedVersion is { } version)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version.ToString(CultureInfo.InvariantCulture)}\""));
        }
        else if (options?.MustExist == true)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Any);
        }

        return request;
    }

    private Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, pathAndQuery), retryable: true, HttpCompletionOption.ResponseContentRead, ct);

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, bool retryable, HttpCompletionOption completion, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            if (_options.AccessToken is { } tokens && await tokens(ct) is { Length: > 0 } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            var canRetry = retryable && attempt <= _options.MaxRetries;
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, ct);
            }
            catch (Exception e) when (canRetry && !ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException)
            {
                // The request may or may not have reached the service: only a request that is safe to repeat gets here.
                await WaitAsync(attempt, Backoff(attempt), e.Message, ct);
                continue;
            }

            if (canRetry && Transient(response) is { } wait)
            {
                var reason = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                await WaitAsync(attempt, wait, reason, ct);
                continue;
            }

            return response;
        }
    }

    /// <summary>How long to wait before trying again, or null when the answer is final.</summary>
    private static TimeSpan? Transient(HttpResponseMessage response) => (int)response.StatusCode switch
    {
        503 or 429 => RetryAfter(response) ?? TimeSpan.FromSeconds(1),
        // 409 with Retry-After is idempotency-key-in-flight: the first request with the key is still running.
        409 when RetryAfter(response) is { } wait => wait,
        _ => null,
    };

    private async Task WaitAsync(int attempt, TimeSpan wait, string reason, CancellationToken ct)
    {
        if (wait > _options.MaxRetryDelay)
        {
            wait = _options.MaxRetryDelay;
        }

        _options.OnRetry?.Invoke(attempt, wait, reason);
        await Task.Delay(wait, ct);
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, attempt - 1), 10_000));

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
            _ => null,
        };

    private static async Task<LedgerResponse<T>> AnswerAsync<T>(HttpResponseMessage response, string? key, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, ct);
        var value = await response.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new JsonException($"The service answered {(int)response.StatusCode} with an empty body.");
        var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var flags) && flags.Contains("true", StringComparer.OrdinalIgnoreCase);
        return new LedgerResponse<T>(value, VersionOf(response), response.Headers.Location?.OriginalString, replayed, key);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        LedgerProblem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is { } type && type.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                problem = JsonSerializer.Deserialize<LedgerProblem>(text, Json);
            }
            catch (JsonException)
            {
            }
        }

        // A proxy in front of the service may answer with a page of its own.
        problem ??= new LedgerProblem
        {
            Status = (int)response.StatusCode,
            Title = response.ReasonPhrase,
            Detail = text.Length > 500 ? text[..500] : text,
        };
        throw LedgerProblemException.For(response.StatusCode, problem, RetryAfter(response), VersionOf(response));
    }

    private static long? VersionOf(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false, Tag: { Length: > 2 } tag }
        && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;

    private static string On(string id, string? command = null) =>
        "agreements/" + Uri.EscapeDataString(id) + (command is null ? "" : "/" + command);

    private static (string, string?)[] At(PointInTime? at) =>
        [("asOf", Instant(at?.AsOf)), ("version", Number(at?.Version)), ("effectiveOn", at?.EffectiveOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))];

    private static string? Instant(DateTimeOffset? instant) =>
        instant?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Types(IEnumerable<string>? types) => types is null ? null : string.Join(',', types) is { Length: > 0 } list ? list : null;

    private static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return query.ToString();
    }
}
