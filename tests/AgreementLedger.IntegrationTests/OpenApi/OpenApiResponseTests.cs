using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.OpenApi;

/// <summary>
/// Every operation of <c>/openapi/v1.json</c> is driven with real requests — its success and the
/// main failures (400, 401, 403, 404, 409, 412, 415, 422) — and every answer is held against the
/// schema the document declares for that operation, status and content type, problems included, and
/// must carry the headers the document says it always sends. An
/// operation the document declares but no request drives fails the test, so a new route needs a case here.
/// </summary>
[Collection(OpenApiCollection.Name)]
public sealed class OpenApiResponseTests(OpenApiLedgerHost ledger)
{
    private static readonly string Recorder = TestTokens.For("openapi-recorder", Roles.Recorder);
    private static readonly string Auditor = TestTokens.For("openapi-auditor", Roles.Auditor);

    [Fact]
    public async Task every_operation_answers_as_the_document_declares()
    {
        var contract = new OpenApiContract((await ledger.Host.GetAsync("/openapi/v1.json")).Text);
        using var client = ledger.Host.Server.CreateClient();
        var drive = new Driver(client, contract);

        await DriveCommandsAsync(drive);
        await DriveQueriesAsync(drive);
        await DriveAuditAsync(drive);
        await DriveSubscriptionsAsync(drive, contract);
        await DriveWebhooksAsync(drive);
        await DriveWebPageAsync(drive);

        Assert.True(drive.Mismatches.Count == 0, $"{drive.Mismatches.Count} answer(s) differ from the document:\n\n" + string.Join("\n\n", drive.Mismatches));
        var undriven = contract.Operations.Except(drive.Driven).Order(StringComparer.Ordinal).ToList();
        var unknown = drive.Driven.Except(contract.Operations).Order(StringComparer.Ordinal).ToList();
        Assert.True(undriven.Count == 0 && unknown.Count == 0,
            $"operations the document declares that no request drove: {string.Join(", ", undriven)}; driven but not declared: {string.Join(", ", unknown)}");
    }

    /// <summary>The three routes that sign, or serve as signed, give their 503 <c>/problems/history-diverged</c> (docs/api.md, "Witnesses"); others do not.</summary>
    [Fact]
    public async Task the_routes_that_sign_document_history_diverged_among_their_503s()
    {
        using var document = JsonDocument.Parse((await ledger.Host.GetAsync("/openapi/v1.json")).Text);
        string Unavailable(string route) =>
            document.RootElement.GetProperty("paths").GetProperty(route).GetProperty("get").GetProperty("responses").GetProperty("503").GetProperty("description").GetString()!;

        foreach (var route in new[] { "/audit/digest", "/audit/checkpoint", "/audit/export" })
        {
            Assert.Contains("`/problems/history-diverged`", Unavailable(route), StringComparison.Ordinal);
            Assert.Contains("`/problems/unavailable`", Unavailable(route), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("history-diverged", Unavailable("/audit/verify"), StringComparison.Ordinal);
    }

    /// <summary>The check itself is no rubber stamp: it refuses wrong bodies, statuses and content types.</summary>
    [Fact]
    public async Task the_check_refuses_what_the_document_does_not_declare()
    {
        var contract = new OpenApiContract((await ledger.Host.GetAsync("/openapi/v1.json")).Text);
        const string Keys = "GET /audit/public-key";
        const string Key = """{"keyId":"k","algorithm":"ES256","publicKey":"AAAA","pem":"-----BEGIN PUBLIC KEY-----"}""";

        Assert.Null(contract.Mismatch(Keys, 200, "application/json; charset=utf-8", $$"""{"keys":[{{Key}}]}"""));
        // Answers may gain members (the contract allows new fields).
        Assert.Null(contract.Mismatch(Keys, 200, "application/json", $$"""{"keys":[{{Key}}],"added":true}"""));
        Assert.Contains("does not match", contract.Mismatch(Keys, 200, "application/json", """{"keys":[{"keyId":"k"}]}"""));
        Assert.Contains("does not match", contract.Mismatch(Keys, 200, "application/json", """{"keys":5}"""));
        Assert.Contains("does not declare", contract.Mismatch(Keys, 418, "application/json", "{}"));
        Assert.Contains("does not declare", contract.Mismatch(Keys, 200, "text/plain", "keys"));
        Assert.Contains("does not match", contract.Mismatch(Keys, 401, "application/problem+json", """{"title":"no type or status"}"""));
        Assert.Contains("does not match", contract.Mismatch("GET /agreements/{id}", 200, "application/json",
            """{"id":"x","title":"t","kind":"alliance","status":"Proposed"}"""));
        Assert.Contains("not in the document", contract.Mismatch("GET /nowhere", 200, "application/json", "{}"));
        Assert.Contains("lacks the header(s) the document requires: ETag", contract.Mismatch("GET /agreements/{id}", 200, "application/json", "{}", headers: []));
    }

    private const string Id = "id";

    private static async Task DriveCommandsAsync(Driver drive)
    {
        const string Propose = "POST /agreements";
        var id = Given.NewId("openapi");
        var proposal = new
        {
            id,
            title = "OpenAPI agreement",
            kind = "programme",
            parties = new[] { "JP", "GB" },
            areas = new[] { "defence-industry" },
            occurredOn = "2024-01-10",
            sources = new[] { new { publisher = "Nikkei", publishedOn = "2024-01-10" } },
        };
        var key = ("Idempotency-Key", "openapi-" + id);
        await drive.SendAsync(Propose, "/agreements", 201, proposal, headers: [key]);
        await drive.SendAsync(Propose, "/agreements", 201, proposal, headers: [key]);
        await drive.SendAsync(Propose, "/agreements", 422, proposal with { title = "Another title" }, headers: [key]);
        await drive.SendAsync(Propose, "/agreements", 409, proposal);
        await drive.SendAsync(Propose, "/agreements", 412, proposal with { id = Given.NewId("openapi") }, headers: [("If-Match", "*")]);
        await drive.SendAsync(Propose, "/agreements", 400, new { titel = "typo", kind = "nothing" });
        await drive.SendRawAsync(Propose, "/agreements", 415, "title", "text/plain");
        await drive.SendAsync(Propose, "/agreements", 401, proposal, token: null);
        await drive.SendAsync(Propose, "/agreements", 403, proposal, token: Auditor);

        var at = $"/agreements/{id}";
        await drive.SendAsync("POST /agreements/{id}/negotiation-rounds", at + "/negotiation-rounds", 200,
            new { occurredOn = "2024-01-11", location = "Tokyo", participants = new[] { "JP", "GB" }, summary = "First round." }, token: Recorder);
        await drive.SendAsync("POST /agreements/{id}/negotiation-rounds", at + "/negotiation-rounds", 412, new { occurredOn = "2024-01-11" }, headers: [("If-Match", "\"1\"")]);
        await drive.SendAsync("POST /agreements/{id}/negotiation-rounds", "/agreements/no-such-agreement/negotiation-rounds", 404, new { occurredOn = "2024-01-11" });
        await drive.SendAsync("POST /agreements/{id}/negotiation-rounds", at + "/negotiation-rounds", 400, new { occurredOn = "2024-02-30" });
        await drive.SendAsync("POST /agreements/{id}/parties", at + "/parties", 200, new { party = "IT", occurredOn = "2024-01-11" });
        await drive.SendAsync("POST /agreements/{id}/terms-agreed", at + "/terms-agreed", 200, new { occurredOn = "2024-01-12", summary = "Terms agreed." });
        await drive.SendAsync("POST /agreements/{id}/funding", at + "/funding", 409, new { funder = "EU", amount = 1000, currency = "EUR", occurredOn = "2024-01-12" });
        await drive.SendAsync("POST /agreements/{id}/deliverables", at + "/deliverables", 200,
            new { deliverableId = "prototype-1", name = "Prototype", dueBy = "2030-12-31", occurredOn = "2024-01-12" });
        await drive.SendAsync("POST /agreements/{id}/targets", at + "/targets", 200,
            new { milestone = "Signed", targetDate = "2024-03-01", note = "Signed by March.", occurredOn = "2024-01-12" });
        foreach (var party in new[] { "JP", "GB", "IT" })
        {
            await drive.SendAsync("POST /agreements/{id}/signatures", at + "/signatures", 200,
                new { party, occurredOn = "2024-02-01", signedBy = "A. Official", place = "Rome" });
        }

        await drive.SendAsync("POST /agreements/{id}/funding", at + "/funding", 200,
            new { funder = "EU", amount = 1250000.50m, currency = "EUR", purpose = "Joint research", occurredOn = "2024-02-02" });
        await drive.SendAsync("POST /agreements/{id}/deliveries", at + "/deliveries", 200, new { deliverableId = "prototype-1", occurredOn = "2024-02-03", note = "Handed over." });
        var cited = await drive.SendAsync("POST /agreements/{id}/sources", at + "/sources", 200,
            new { publisher = "Reuters", url = "https://reuters.invalid/report", publishedOn = "2024-02-03", occurredOn = "2024-02-03" });
        await drive.SendAsync("POST /agreements/{id}/amendments", at + "/amendments", 200, new { summary = "Scope widened.", occurredOn = "2024-02-03" });
        await drive.SendAsync("POST /agreements/{id}/suspension", at + "/suspension", 200, new { reason = "Paused for review.", occurredOn = "2024-02-04" });
        await drive.SendAsync("POST /agreements/{id}/resumption", at + "/resumption", 200, new { reason = "Review done.", occurredOn = "2024-02-05" });
        await drive.SendAsync("POST /agreements/{id}/retractions", at + "/retractions", 409, new { version = 1, reason = "The proposal cannot be retracted." });
        await drive.SendAsync("POST /agreements/{id}/retractions", at + "/retractions", 200, new { version = cited.GetProperty("version").GetInt64(), reason = "Cited twice." });
        var amended = cited.GetProperty("version").GetInt64() + 1;
        await drive.SendAsync("POST /agreements/{id}/corrections", at + "/corrections", 200,
            new { version = amended, reason = "The scope was narrowed, not widened.", replacement = new { type = "agreement_amended", summary = "Scope narrowed.", occurredOn = "2024-02-03" } });
        await drive.SendAsync("POST /agreements/{id}/corrections", at + "/corrections", 409,
            new { version = 1, reason = "The proposal cannot be corrected.", replacement = new { type = "agreement_amended", summary = "x" } });
        await drive.SendAsync("POST /agreements/{id}/corrections", at + "/corrections", 400,
            new { version = amended, reason = "x", replacement = new { type = "agreement_amended", summry = "typo" } });
        await drive.SendAsync("POST /agreements/{id}/termination", at + "/termination", 200, new { reason = "Programme ended.", occurredOn = "2024-02-06" });

        var draft = Given.NewId("openapi");
        await drive.SendAsync(Propose, "/agreements", 201, proposal with { id = draft });
        await drive.SendAsync("POST /agreements/{id}/withdrawal", $"/agreements/{draft}/withdrawal", 200, new { reason = "Talks abandoned." });
        await drive.SendAsync("POST /agreements/{id}/withdrawal", $"/agreements/{draft}/withdrawal", 409, new { reason = "Again." });

        var treaty = Given.NewId("openapi");
        var on = $"/agreements/{treaty}";
        await drive.SendAsync(Propose, "/agreements", 201, proposal with { id = treaty, kind = "treaty" });
        await drive.SendAsync("POST /agreements/{id}/consents", on + "/consents", 200, new { party = "JP", instrument = "definitive-signature", occurredOn = "2024-02-01", place = "Tokyo" });
        await drive.SendAsync("POST /agreements/{id}/signatures", on + "/signatures", 200, new { party = "GB", occurredOn = "2024-02-01" });
        await drive.SendAsync("POST /agreements/{id}/provisional-application", on + "/provisional-application", 200, new { party = "GB", occurredOn = "2024-02-02" });
        await drive.SendAsync("POST /agreements/{id}/consents", on + "/consents", 400, new { party = "GB", instrument = "ratify" });
        await drive.SendAsync("POST /agreements/{id}/entry-into-force", on + "/entry-into-force", 200, new { occurredOn = "2024-03-01", note = "For JP." });
        await drive.SendAsync("POST /agreements/{id}/entry-into-force", on + "/entry-into-force", 409, new { occurredOn = "2024-03-02" });
        await drive.SendAsync("POST /agreements/{id}/reservations", on + "/reservations", 200, new { party = "GB", kind = "declaration", text = "Applies to GB only.", occurredOn = "2024-03-02" });
        await drive.SendAsync("POST /agreements/{id}/denunciations", on + "/denunciations", 200, new { party = "JP", occurredOn = "2024-03-03", effectiveOn = "2025-03-03" });
        await drive.SendAsync("POST /agreements/{id}/denunciations", on + "/denunciations", 409, new { party = "GB", occurredOn = "2024-03-03" });

        drive.Remember(Id, id);
    }

    private static async Task DriveQueriesAsync(Driver drive)
    {
        var id = drive.Recall(Id);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}", 200, token: Auditor);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}?version=3", 200);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}?effectiveOn=2024-01-09", 404);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}?version=x", 400);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}", 401, token: null);
        await drive.SendAsync("GET /agreements/{id}", $"/agreements/{id}", 403, token: TestTokens.For("openapi-subscriber", Roles.Subscriber));
        await drive.SendAsync("GET /agreements/{id}/timeline", $"/agreements/{id}/timeline", 200);
        await drive.SendAsync("GET /agreements/{id}/timeline", $"/agreements/{id}/timeline?limit=2", 200);
        await drive.SendAsync("GET /agreements/{id}/timeline", "/agreements/no-such-agreement/timeline", 404);
        await drive.SendAsync("GET /agreements/{id}/timeline", $"/agreements/{id}/timeline?cursor=forged", 400);
        await drive.SendAsync("GET /agreements", "/agreements?party=JP&limit=1", 200);
        await drive.SendAsync("GET /agreements", "/agreements?asOf=2024-01-01", 200);
        await drive.SendAsync("GET /agreements", "/agreements?limit=0", 400);
        await drive.SendAsync("GET /parties/{party}/agreements", "/parties/IT/agreements", 200);
        await drive.SendAsync("GET /parties/{party}/agreements", "/parties/it/agreements", 400);
    }

    private static async Task DriveAuditAsync(Driver drive)
    {
        var id = drive.Recall(Id);
        await drive.SendAsync("GET /audit/verify", "/audit/verify", 200, token: Auditor);
        await drive.SendAsync("GET /audit/verify", $"/audit/verify?agreementId={id}", 200);
        await drive.SendAsync("GET /audit/verify", "/audit/verify?agreementId=no-such-agreement", 404);
        await drive.SendAsync("GET /audit/verify", "/audit/verify", 403, token: Recorder);
        await drive.SendAsync("GET /audit/digest", "/audit/digest", 200);
        await drive.SendAsync("GET /audit/digest", "/audit/digest?position=999999999", 409);
        await drive.SendAsync("GET /audit/digest", "/audit/digest?position=-1", 400);
        await drive.SendAsync("GET /audit/public-key", "/audit/public-key", 200);
        await drive.SendAsync("GET /audit/export", "/audit/export", 200);
        await drive.SendAsync("GET /audit/export", "/audit/export?format=csv", 200);
        await drive.SendAsync("GET /audit/export", "/audit/export?format=xml", 400);
        await DriveTransparencyAsync(drive);
    }

    private static async Task DriveTransparencyAsync(Driver drive)
    {
        // The tree is extended just after commit: wait until it holds the first event.
        for (var i = 0; i < 100; i++)
        {
            using var wait = new HttpRequestMessage(HttpMethod.Get, "/audit/checkpoint?treeSize=1");
            wait.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Admin);
            using var answer = await drive.Client.SendAsync(wait);
            if (answer.IsSuccessStatusCode)
            {
                break;
            }

            await Task.Delay(100);
        }

        await drive.SendAsync("GET /audit/checkpoint", "/audit/checkpoint", 200, token: Auditor);
        var first = await drive.SendAsync("GET /audit/checkpoint", "/audit/checkpoint?treeSize=1", 200);
        await drive.SendAsync("GET /audit/checkpoint", "/audit/checkpoint?treeSize=-1", 400);
        await drive.SendAsync("GET /audit/checkpoint", "/audit/checkpoint?treeSize=999999999", 409);
        await drive.SendAsync("GET /audit/checkpoint", "/audit/checkpoint", 403, token: Recorder);
        var position = first.GetProperty("position").GetInt64();
        await drive.SendAsync("GET /audit/proofs/inclusion", $"/audit/proofs/inclusion?position={position}&treeSize=1", 200);
        await drive.SendAsync("GET /audit/proofs/inclusion", $"/audit/proofs/inclusion?position={position}&treeSize=0", 400);
        await drive.SendAsync("GET /audit/proofs/inclusion", "/audit/proofs/inclusion?position=999999999", 404);
        await drive.SendAsync("GET /audit/proofs/inclusion", $"/audit/proofs/inclusion?position={position}&treeSize=999999999", 409);
        await drive.SendAsync("GET /audit/proofs/consistency", "/audit/proofs/consistency?from=0&to=1", 200);
        await drive.SendAsync("GET /audit/proofs/consistency", "/audit/proofs/consistency?from=2&to=1", 400);
        await drive.SendAsync("GET /audit/proofs/consistency", "/audit/proofs/consistency?from=0&to=999999999", 409);
    }

    private static async Task DriveSubscriptionsAsync(Driver drive, OpenApiContract contract)
    {
        const string Stream = "GET /events/stream";
        await drive.SendAsync("GET /events", "/events?limit=3", 200, token: TestTokens.For("openapi-subscriber", Roles.Subscriber));
        await drive.SendAsync("GET /events", "/events?after=x", 400);
        await drive.SendAsync(Stream, "/events/stream", 400, headers: [("Last-Event-ID", "x")]);
        await drive.SendAsync(Stream, "/events/stream", 401, token: null);

        // A stream does not end: read up to its first event, then hang up.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await drive.Client.OpenStreamAsync(TestTokens.Admin, timeout.Token, lastEventId: "0");
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var read = new StringBuilder();
        string? data = null;
        while (data is null && await lines.ReadLineAsync(timeout.Token) is { } line)
        {
            read.Append(line).Append('\n');
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line["data: ".Length..] : null;
        }

        drive.Check(Stream, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), read.ToString(),
            response.Headers.Concat(response.Content.Headers).Select(h => h.Key));
        Assert.True(data is not null, "the stream sent no event: " + read);
        // docs/api.md: "data: the feed item as one line of JSON" — the feed's own item schema.
        drive.Note(contract.ComponentMismatch("FeedEvent", data!, $"{Stream} data: line"));
    }

    /// <summary>The page's own route answers anyone, without a token.</summary>
    private static async Task DriveWebPageAsync(Driver drive)
    {
        var config = await drive.SendAsync("GET /ui/config", "/ui/config", 200, token: null);
        Assert.Equal("key", config.GetProperty("mode").GetString());
        await drive.SendAsync("GET /ui/config", "/ui/config?x=%01", 400, token: null);
    }

    private static async Task DriveWebhooksAsync(Driver drive)
    {
        var body = new { url = "http://127.0.0.1:9/openapi", types = new[] { "party_signed" }, secret = "openapi-secret-0123456789" };
        var created = await drive.SendAsync("POST /subscriptions", "/subscriptions", 201, body);
        await drive.SendAsync("POST /subscriptions", "/subscriptions", 400, body with { url = "ftp://127.0.0.1/openapi" });
        await drive.SendAsync("POST /subscriptions", "/subscriptions", 403, body, token: Recorder);
        var id = created.GetProperty("id").GetString()!;
        await drive.SendAsync("GET /subscriptions", "/subscriptions", 200);
        await drive.SendAsync("GET /subscriptions/{id}", $"/subscriptions/{id}", 200);
        await drive.SendAsync("GET /subscriptions/{id}", "/subscriptions/no-such-subscription", 404);
        await drive.SendAsync("DELETE /subscriptions/{id}", $"/subscriptions/{id}", 204);
        await drive.SendAsync("DELETE /subscriptions/{id}", $"/subscriptions/{id}", 404);
    }

    /// <summary>Sends requests as a client does and holds each answer against the document.</summary>
    private sealed class Driver(HttpClient client, OpenApiContract contract)
    {
        private readonly Dictionary<string, string> _remembered = [];

        public HttpClient Client => client;

        public List<string> Mismatches { get; } = [];

        public HashSet<string> Driven { get; } = new(StringComparer.Ordinal);

        public void Remember(string name, string value) => _remembered[name] = value;

        public string Recall(string name) => _remembered[name];

        public Task<JsonElement> SendAsync(string operation, string url, int expected, object? body = null,
            string? token = "", IReadOnlyList<(string Name, string Value)>? headers = null) =>
            SendRawAsync(operation, url, expected, body is null ? null : Given.Body(body), "application/json", token, headers);

        /// <summary><paramref name="token"/>: "" for an admin, null for none.</summary>
        public async Task<JsonElement> SendRawAsync(string operation, string url, int expected, string? body, string contentType,
            string? token = "", IReadOnlyList<(string Name, string Value)>? headers = null)
        {
            var method = operation[..operation.IndexOf(' ')];
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, contentType);
            }

            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Length == 0 ? TestTokens.Admin : token);
            }

            foreach (var (name, value) in headers ?? [])
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status != expected)
            {
                Mismatches.Add($"{method} {url} answered {status}, the test expected {expected}: {text}");
            }

            Check(operation, status, response.Content.Headers.ContentType?.ToString(), text,
                response.Headers.Concat(response.Content.Headers).Select(h => h.Key));
            return text.Length > 0 && response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json"
                ? JsonDocument.Parse(text).RootElement.Clone()
                : default;
        }

        public void Check(string operation, int status, string? contentType, string body, IEnumerable<string> headers)
        {
            Driven.Add(operation);
            Note(contract.Mismatch(operation, status, contentType, body, headers));
        }

        public void Note(string? mismatch)
        {
            if (mismatch is not null)
            {
                Mismatches.Add(mismatch);
            }
        }
    }
}
