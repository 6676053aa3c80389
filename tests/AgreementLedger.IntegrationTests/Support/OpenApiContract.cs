using System.Text.Json.Nodes;
using Json.Schema;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The OpenAPI document the service serves, as a client's tools read it: its operations, and for an
/// answer the schema it declares for that operation, status and content type, checked with a JSON
/// Schema 2020-12 validator (JsonSchema.Net). The whole document is registered as a base document, so
/// that <c>#/components/schemas/…</c> references resolve as they do for any OpenAPI 3.1 tool.
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>Where the document is registered; <c>.invalid</c> never resolves, and nothing is fetched from it.</summary>
    private static readonly Uri DocumentUri = new("https://agreement-ledger.invalid/openapi/v1.json");

    private readonly JsonObject _document;
    private readonly EvaluationOptions _options;

    public OpenApiContract(string json)
    {
        _document = JsonNode.Parse(json)!.AsObject();
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        _options.SchemaRegistry.Register(new JsonNodeBaseDocument(_document, DocumentUri));
    }

    /// <summary>Every operation the document declares, as "METHOD /template".</summary>
    public IReadOnlySet<string> Operations => _document["paths"]!.AsObject()
        .SelectMany(path => path.Value!.AsObject().Select(method => $"{method.Key.ToUpperInvariant()} {path.Key}"))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Why an answer does not match the document, or null when it does: the status must be declared for
    /// the operation, the headers it requires sent, a body's content type among the status's, and the
    /// body must match that content type's schema (for <c>application/x-ndjson</c> each line does).
    /// </summary>
    public string? Mismatch(string operation, int status, string? contentType, string body, IEnumerable<string>? headers = null)
    {
        var (method, template) = (operation[..operation.IndexOf(' ')].ToLowerInvariant(), operation[(operation.IndexOf(' ') + 1)..]);
        if (_document["paths"]?[template]?[method] is not JsonObject declared)
        {
            return $"{operation} is not in the document";
        }

        if (declared["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject response)
        {
            return $"{operation} answered {status}, which the document does not declare (it declares {string.Join(", ", declared["responses"]!.AsObject().Select(r => r.Key))})";
        }

        // A header the document says is always sent (ETag on a command's answer, Retry-After on a 503, …) is there.
        if (headers is not null)
        {
            var sent = headers.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var absent = (response["headers"] as JsonObject ?? []).Where(h => h.Value?["required"]?.GetValue<bool>() == true && !sent.Contains(h.Key)).Select(h => h.Key).ToList();
            if (absent.Count > 0)
            {
                return $"{operation} {status} lacks the header(s) the document requires: {string.Join(", ", absent)}";
            }
        }

        var content = response["content"] as JsonObject;
        if (body.Length == 0)
        {
            return content is null ? null : $"{operation} {status} answered no body, but the document declares one ({string.Join(", ", content.Select(c => c.Key))})";
        }

        var mediaType = contentType?.Split(';')[0].Trim();
        if (mediaType is null || content?[mediaType] is not JsonObject media)
        {
            return $"{operation} {status} answered {contentType ?? "no content type"}, which the document does not declare (it declares {string.Join(", ", content?.Select(c => c.Key) ?? [])})";
        }

        if (media["schema"] is not JsonObject schema)
        {
            return $"{operation} {status} {mediaType} has no schema";
        }

        return mediaType switch
        {
            "application/json" or "application/problem+json" => Evaluate(schema, body, $"{operation} {status} {mediaType}"),
            "application/x-ndjson" => body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select((line, i) => Evaluate(schema, line, $"{operation} {status} {mediaType} line {i + 1}"))
                .FirstOrDefault(m => m is not null),
            _ => Evaluate(schema, System.Text.Json.JsonSerializer.Serialize(body), $"{operation} {status} {mediaType}"),
        };
    }

    /// <summary>Why a JSON text does not match a component schema (<c>FeedEvent</c>, say), or null.</summary>
    public string? ComponentMismatch(string component, string json, string what) =>
        Evaluate(new JsonObject { ["$ref"] = "#/components/schemas/" + component }, json, what);

    private string? Evaluate(JsonObject declared, string json, string what)
    {
        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            return $"{what}: the body is not JSON ({e.Message}): {Cut(json)}";
        }

        var schema = JsonSchema.FromText(Anchored(declared).ToJsonString());
        var results = schema.Evaluate(instance, _options);
        if (results.IsValid)
        {
            return null;
        }

        var errors = results.Details.Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"  at '{d.InstanceLocation}' (schema {d.EvaluationPath}): {e.Key}: {e.Value}"));
        return $"{what} does not match its declared schema:\n{string.Join('\n', errors)}\nbody: {Cut(json)}";
    }

    /// <summary>A copy of a schema taken out of the document, its document-relative references made absolute.</summary>
    private static JsonNode Anchored(JsonNode schema)
    {
        var copy = schema.DeepClone();
        Rewrite(copy);
        return copy;

        static void Rewrite(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is ['#', ..] local)
                    {
                        obj["$ref"] = DocumentUri + local;
                    }

                    foreach (var (_, child) in obj.ToList())
                    {
                        Rewrite(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Rewrite(item);
                    }

                    break;
            }
        }
    }

    private static string Cut(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
