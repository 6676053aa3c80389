using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// Runs after routing and before the endpoint: refuses a body over the cap (413, <see cref="RequestBody.MaxBytes"/>), refuses malformed JSON
/// and bodies that do not fit the endpoint's command record (400, naming every bad field), and hands
/// the endpoint a body it can bind without surprises.
/// </summary>
public sealed class StrictJsonBodyMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var requestType = http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (requestType is null)
        {
            await next(http);
            return;
        }

        var body = await RequestBody.ReadAsync(http);
        if (body.TooLarge)
        {
            await WriteAsync(http, RequestBody.TooLargeProblem());
            return;
        }

        if (body.Bytes.Length == 0)
        {
            await WriteAsync(http, Problems.Invalid("$", "a JSON object body is required"));
            return;
        }

        Dictionary<string, string[]> errors;
        try
        {
            var document = body.Document ?? throw body.ParseError!;
            errors = JsonShape.Check(document.RootElement, requestType);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            await WriteAsync(http, Problems.Invalid(
                new Dictionary<string, string[]> { ["$"] = ["the body is not well-formed JSON" + where] },
                "The body is not well-formed JSON" + where + "."));
            return;
        }

        if (errors.Count > 0)
        {
            await WriteAsync(http, Problems.Invalid(errors));
            return;
        }

        http.Request.ContentLength = body.Bytes.Length;
        await next(http);
    }

    private static Task WriteAsync(HttpContext http, Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        Problems.Result(problem).ExecuteAsync(http);
}
