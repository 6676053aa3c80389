using System.Text;
using Alba;
using AgreementLedger.IntegrationTests.Support;
using CsCheck;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// Generated bodies, routes, query strings and headers against every endpoint: no answer is a 5xx,
/// and no 4xx appends anything.
/// </summary>
[Collection(ConventionsCollection.Name)]
public sealed class HostileInputTests(LedgerHost ledger)
{
    private static readonly string[] Commands =
    [
        "", "/negotiation-rounds", "/terms-agreed", "/signatures", "/parties", "/deliverables", "/funding", "/deliveries",
        "/targets", "/sources", "/amendments", "/suspension", "/resumption", "/termination", "/withdrawal", "/retractions",
    ];

    private static readonly string[] Reads =
    [
        "/agreements", "/agreements/{id}", "/agreements/{id}/timeline", "/parties/{party}/agreements", "/events",
        "/audit/verify", "/audit/digest", "/audit/public-key", "/subscriptions", "/subscriptions/{id}",
        "/audit/checkpoint", "/audit/proofs/inclusion", "/audit/proofs/consistency",
    ];

    private static readonly string[] Fields =
    [
        "id", "title", "kind", "parties", "areas", "summary", "occurredOn", "sources", "publisher", "url", "publishedOn", "note",
        "location", "participants", "party", "signedBy", "place", "deliverableId", "name", "dueBy", "funder", "amount", "currency",
        "purpose", "milestone", "targetDate", "reason", "version", "types", "secret", "occuredOn", "$type", "",
    ];

    private static readonly string[] Queries =
    [
        "asOf", "asOf", "asOf", "version", "effectiveOn", "effectiveOn", "limit", "cursor", "party", "status", "area", "kind", "after", "types", "position", "agreementId", "format",
        "treeSize", "treeSize", "from", "to",
    ];

    [Fact]
    public async Task no_generated_request_gets_a_5xx_and_no_refused_one_appends_anything()
    {
        var id = Given.NewId("hostile");
        await ledger.Host.SignedAsync(id, "JP", "GB");
        var failures = new List<string>();

        await Gen.Int.SampleAsync(async seed =>
        {
            var random = new Random(seed);
            var before = await ledger.TotalEventsAsync();
            var (method, url, body, headers) = Request(random, id);
            var result = await ledger.Host.Scenario(s =>
            {
                switch (method)
                {
                    case "POST":
                        // Raw bytes: lone surrogates become replacement characters, and some bodies are not UTF-8 at all.
                        var bytes = random.Next(10) == 0 ? [0xFF, 0xFE, 0x7B, 0x22, 0xC3] : Encoding.UTF8.GetBytes(body);
                        s.Post.Url(url);
                        s.ConfigureHttpContext(c =>
                        {
                            c.Request.Body = new MemoryStream(bytes);
                            c.Request.ContentLength = bytes.Length;
                            c.Request.ContentType = headers.GetValueOrDefault("Content-Type", "application/json");
                        });
                        break;
                    case "DELETE":
                        s.Delete.Url(url);
                        break;
                    default:
                        s.Get.Url(url);
                        break;
                }

                s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
                foreach (var (name, value) in headers.Where(h => h.Key != "Content-Type"))
                {
                    s.WithRequestHeader(name, value);
                }

                s.IgnoreStatusCode();
            });

            var status = result.Context.Response.StatusCode;
            var appended = await ledger.TotalEventsAsync() - before;
            if (status >= 500 || (status >= 400 && appended != 0))
            {
                lock (failures)
                {
                    failures.Add($"{method} {url} -> {status}, appended {appended}; body: {Shorten(body)}; headers: {string.Join("; ", headers)}");
                }
            }
        }, iter: 2000, threads: 1);

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    private static (string Method, string Url, string Body, Dictionary<string, string> Headers) Request(Random random, string existing)
    {
        var agreement = random.Next(6) switch
        {
            0 => existing,
            1 => "no-such-agreement",
            2 => PathSegment(Text(random, 12)),
            3 => existing + EncodedControl(random),
            4 => EncodedControl(random) + existing,
            _ => "%ff..%2F",
        };
        var headers = new Dictionary<string, string>();
        if (random.Next(3) == 0)
        {
            headers["If-Match"] = random.Next(3) switch { 0 => "\"3\"", 1 => "*", _ => Ascii(random, 8) };
        }

        if (random.Next(4) == 0)
        {
            headers["Idempotency-Key"] = Ascii(random, random.Next(1, 220));
        }

        if (random.Next(6) == 0)
        {
            headers["Content-Type"] = random.Next(2) == 0 ? "text/plain" : "application/json; charset=latin1";
        }

        if (random.Next(2) == 0)
        {
            var command = Commands[random.Next(Commands.Length)] + (random.Next(8) == 0 ? EncodedControl(random) : "");
            var url = command.Length == 0 ? "/agreements" : $"/agreements/{agreement}{command}";
            if (random.Next(8) == 0)
            {
                url = "/subscriptions";
            }

            if (random.Next(2) == 0)
            {
                // A body that would be accepted, with one hostile change: the sharpest probe of what reaches storage.
                var (route, template) = Templates[random.Next(Templates.Length)];
                return ("POST", route.Length == 0 ? "/agreements" : $"/agreements/{existing}{route}", Mutate(random, template()), headers);
            }

            return ("POST", url, Body(random), headers);
        }

        var read = Reads[random.Next(Reads.Length)].Replace("{id}", agreement, StringComparison.Ordinal)
            .Replace("{party}", random.Next(2) == 0 ? "JP" : PathSegment(Text(random, 5)), StringComparison.Ordinal);
        var query = string.Join('&', Enumerable.Range(0, random.Next(4))
            .Select(_ => $"{Queries[random.Next(Queries.Length)]}={Uri.EscapeDataString(Value(random))}"));
        return (random.Next(10) == 0 ? "DELETE" : "GET", query.Length == 0 ? read : read + "?" + query, "", headers);
    }

    /// <summary>Bodies the signed test agreement (or a new proposal) would accept.</summary>
    private static readonly (string Route, Func<Dictionary<string, object?>> Body)[] Templates =
    [
        ("", () => new() { ["id"] = Given.NewId("hostileprop"), ["title"] = "T", ["kind"] = "treaty", ["parties"] = new[] { "JP" }, ["areas"] = Array.Empty<string>(), ["summary"] = "S" }),
        ("", () => new() { ["title"] = "T", ["kind"] = "treaty", ["parties"] = new[] { "JP", "GB" }, ["areas"] = new[] { "space" }, ["occurredOn"] = "2024-01-01" }),
        ("/funding", () => new() { ["funder"] = "JP", ["amount"] = 10, ["currency"] = "JPY", ["purpose"] = "P" }),
        ("/funding", () => new() { ["funder"] = "EU", ["amount"] = 9_999_999_999_999.99m, ["currency"] = "EUR", ["occurredOn"] = "2024-03-01" }),
        ("/signatures", () => new() { ["party"] = "JP", ["occurredOn"] = "2024-02-01" }),
        ("/parties", () => new() { ["party"] = "KR" }),
        ("/deliveries", () => new() { ["deliverableId"] = "d-1", ["note"] = "N" }),
        ("/suspension", () => new() { ["reason"] = "R", ["occurredOn"] = "2024-05-01" }),
        ("/retractions", () => new() { ["version"] = 3, ["reason"] = "R" }),
        ("/deliverables", () => new() { ["deliverableId"] = Guid.NewGuid().ToString("N")[..12], ["name"] = "N" }),
        ("/targets", () => new() { ["milestone"] = "Funded", ["targetDate"] = "2030-01-01", ["note"] = "N" }),
        ("/sources", () => new() { ["publisher"] = "P", ["note"] = "N" }),
        ("/amendments", () => new() { ["summary"] = "S" }),
    ];

    private static string Mutate(Random random, Dictionary<string, object?> body)
    {
        var field = body.Keys.ElementAt(random.Next(body.Count));
        var pick = random.Next(20);
        switch (pick < 8 ? pick % 5 : pick < 13 ? 5 : pick < 16 ? 6 : pick < 18 ? 7 : 8)
        {
            case 5:
                // A control character at the end (or start) of a value: every pattern must match the whole value.
                var texts = body.Keys.Where(k => body[k] is string or string[]).ToList();
                field = texts.Count > 0 ? texts[random.Next(texts.Count)] : field;
                body[field] = body[field] switch
                {
                    string text => random.Next(4) == 0 ? Control(random) + text : text + Control(random),
                    string[] items when items.Length > 0 => (string[])[.. items[..^1], items[^1] + Control(random)],
                    var other => other,
                };
                break;
            case 6:
                body[field] = EdgeDate(random);
                break;
            case 7:
                body[field] = EdgeNumber(random);
                break;
            case 8:
                for (var i = random.Next(1, 20_000); i > 0; i--)
                {
                    body["extra" + i] = i;
                }

                break;
            case 0:
                body[field] = Text(random, random.Next(1, 20));
                break;
            case 1:
                body[field] = "x\0y";
                break;
            case 2:
                body[field] = new string('w', random.Next(2, 20_000));
                break;
            case 3:
                body["unexpected" + random.Next(3)] = 1;
                break;
            default:
                body.Remove(field);
                break;
        }

        // Numbers go in as written (the serializer would round or refuse some of them).
        return System.Text.Json.JsonSerializer.Serialize(body.ToDictionary(
            kv => kv.Key, kv => kv.Value is RawNumber n ? (object)System.Text.Json.Nodes.JsonNode.Parse(n.Text)! : kv.Value));
    }

    private sealed record RawNumber(string Text);

    private static readonly char[] Controls = ['\n', '\r', '\t', '\u000b', '\u0007', '\u001f', '\u007f', '\u0085', '\u009f'];

    private static string Control(Random random) => Controls[random.Next(Controls.Length)].ToString();

    private static string EncodedControl(Random random) => Uri.EscapeDataString(Control(random));

    /// <summary>Dates and instants at and past both ends of the calendar, with offsets, and impossible ones.</summary>
    private static string EdgeDate(Random random) => random.Next(14) switch
    {
        0 => "0001-01-01",
        1 => "9999-12-31",
        2 => "0001-01-01T00:00:00Z",
        3 => "0001-01-01T00:00:00+01:00",
        4 => "0001-01-01T00:59:59.9999999+01:00",
        5 => "9999-12-31T23:59:59.9999999Z",
        6 => "9999-12-31T23:59:59-14:00",
        7 => "9999-12-31T23:59:59.99999999999-23:59",
        8 => "2024-02-30",
        9 => "2024-06-23T24:00:00Z",
        10 => "10000-01-01",
        11 => "0000-12-31",
        12 => "2024-06-23" + Control(random),
        _ => "-0001-01-01",
    };

    /// <summary>Numbers near and past the range where a double is exact, and past the double's range.</summary>
    private static RawNumber EdgeNumber(Random random) => new RawNumber(random.Next(12) switch
    {
        0 => "9007199254740993",
        1 => "10000000000000",
        2 => "10000000000000.01",
        3 => "70000000000000.01",
        4 => "9999999999999.995",
        5 => "1e16",
        6 => "1e400",
        7 => "-1e400",
        8 => "1e-400",
        9 => "1" + new string('0', 400),
        10 => "0.1" + new string('0', 400) + "1",
        _ => "-0",
    });

    private static string Body(Random random) => random.Next(9) switch
    {
        0 => Ascii(random, random.Next(0, 40)),
        8 => "{" + string.Join(", ", Enumerable.Range(0, random.Next(1, 20_000)).Select(i => $"\"{Fields[i % Fields.Length]}{i}\": {i}")) + "}",
        1 => "{\"title\": \"unterminated",
        2 => "[1, 2, 3]",
        _ => Json(random, 0),
    };

    private static string Json(Random random, int depth)
    {
        var members = Enumerable.Range(0, random.Next(0, 7))
            .Select(_ => $"\"{Fields[random.Next(Fields.Length)]}\": {JsonValue(random, depth)}");
        return "{" + string.Join(", ", members) + "}";
    }

    private static string JsonValue(Random random, int depth) => random.Next(depth > 2 ? 7 : 9) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => random.Next(-5, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => random.Next(5) switch { 0 => "1e308", 1 => "-0.001", 2 => "123456789012345678901234567890", 3 => EdgeNumber(random).Text, _ => "10.005" },
        4 => System.Text.Json.JsonSerializer.Serialize(Text(random, random.Next(0, 30))),
        5 => "\"" + Value(random) + "\"",
        6 => random.Next(2) == 0 ? "\"2024-0" + random.Next(10) + "-1" + random.Next(10) + "\"" : "\"" + EdgeDate(random).Replace("\n", "\\n", StringComparison.Ordinal) + "\"",
        7 => "[" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => JsonValue(random, depth + 1))) + "]",
        _ => Json(random, depth + 1),
    };

    private static string Value(Random random) => random.Next(16) switch
    {
        8 or 11 or 12 or 13 => EdgeDate(random),
        9 => EdgeNumber(random).Text,
        10 or 14 => Value(random) + Control(random),
        15 => "JP" + Control(random),
        0 => "2024-06-23",
        1 => "2024-06-23T10:00:00Z",
        2 => random.Next(-3, 2000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => "JP",
        4 => "Signed",
        5 => "agreement_proposed,party_signed",
        6 => "ndjson",
        _ => Text(random, random.Next(0, 12)),
    };

    /// <summary>Text with control characters, lone surrogates, quotes, NULs and non-Latin scripts.</summary>
    private static string Text(Random random, int length)
    {
        var pool = new[] { 'a', 'Z', '0', '-', '"', '\\', '\0', '\n', '\u0007', '\ud800', '\udc00', 'é', '東', '\ud83d', ' ', '%', '/', '?' };
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(pool[random.Next(pool.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>NUL never reaches the service in a path (the HTTP server refuses it first), so it is left out there.</summary>
    private static string PathSegment(string text) => Uri.EscapeDataString(text.Replace("\0", "", StringComparison.Ordinal));

    private static string Ascii(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)random.Next(33, 127)).ToArray());

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
