using System.Text.Json;
using Alba;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>HTTP helpers: requests as a client writes them, answers read as plain JSON.</summary>
public static class Given
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A party code no other test uses, so that list queries see only this test's agreements.</summary>
    public static string NewParty() =>
        "Q" + new string(Enumerable.Range(0, 7).Select(_ => (char)('A' + Random.Shared.Next(26))).ToArray());

    public static string Body(object value) => JsonSerializer.Serialize(value, Json);

    /// <summary>POSTs a JSON body and checks the status; returns the answer.</summary>
    public static async Task<Answer> PostAsync(this IAlbaHost host, string url, object body, int status, Action<Scenario>? more = null) =>
        await host.PostRawAsync(url, body as string ?? Body(body), status, more);

    public static async Task<Answer> PostRawAsync(this IAlbaHost host, string url, string json, int status, Action<Scenario>? more = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.RawJson(json).ToUrl(url);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            more?.Invoke(s);
            s.StatusCodeShouldBe(status);
        });
        return await Answer.From(result);
    }

    public static async Task<Answer> GetAsync(this IAlbaHost host, string url, int status = 200, string? token = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(token ?? TestTokens.Admin));
            s.StatusCodeShouldBe(status);
        });
        return await Answer.From(result);
    }

    /// <summary>Opens <c>/events/stream</c> as a client does and answers once the headers have arrived (whatever the status).</summary>
    public static async Task<HttpResponseMessage> OpenStreamAsync(
        this HttpClient client, string token, CancellationToken ct, string? lastEventId = null, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream" + query);
        request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>An agreement signed by all its parties on 2024-02-01 (proposed 2024-01-10).</summary>
    public static async Task<Answer> SignedAsync(this IAlbaHost host, string id, params string[] parties)
    {
        await host.ProposedAsync(id, parties);
        Answer last = null!;
        foreach (var party in parties)
        {
            last = await host.PostAsync($"/agreements/{id}/signatures", new { party, occurredOn = "2024-02-01" }, 200);
        }

        return last;
    }

    /// <summary>An agreement proposed with the given parties on 2024-01-10.</summary>
    public static Task<Answer> ProposedAsync(this IAlbaHost host, string id, params string[] parties) =>
        host.PostAsync("/agreements", new
        {
            id,
            title = "Test agreement " + id,
            kind = "partnership",
            parties,
            areas = new[] { "defence-industry" },
            occurredOn = "2024-01-10",
        }, 201);
}

/// <summary>A response: status, headers and the parsed JSON body (if any).</summary>
public sealed record Answer(int Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, JsonElement Body, string Text)
{
    public string? ETag => Headers.TryGetValue("ETag", out var etag) ? etag : null;

    public string ProblemType => Body.GetProperty("type").GetString()!;

    public JsonElement this[string name] => Body.GetProperty(name);

    public static async Task<Answer> From(IScenarioResult result)
    {
        var response = result.Context.Response;
        var text = await result.ReadAsTextAsync();
        var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var body = text.Length > 0 && (response.ContentType?.Contains("json", StringComparison.Ordinal) ?? false)
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return new Answer(response.StatusCode, response.ContentType, headers, body, text);
    }
}
