using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
public sealed partial class LedgerClient
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

            if (canRetry && Transient(response) is { } wait && !await IsFinalAsync(response, ct))
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

    /// <summary>A 503 <c>/problems/history-diverged</c> waits for an operator, not for time: it is answered at once.</summary>
    private static async Task<bool> IsFinalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if ((int)response.StatusCode != 503 || response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return false;
        }

        // Buffered, so that the refusal can still be read from it when it is answered.
        await response.Content.LoadIntoBufferAsync(ct);
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return problem.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == "/problems/" + ProblemCodes.HistoryDiverged;
        }
        catch (JsonException)
        {
            return false;
        }
    }

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

    /// <summary>The answer's value, or its refusal thrown (shared with <see cref="WitnessClient"/>).</summary>
    internal static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        (await AnswerAsync<T>(response, null, ct)).Value;

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
