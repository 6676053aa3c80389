using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wolverine.Http;

namespace AgreementLedger.OpenApi;

/// <summary>
/// What endpoint metadata cannot say about an operation: the roles it admits (from its authorization
/// policy), the headers of docs/api.md "Conventions" (If-Match, Idempotency-Key, Last-Event-ID in;
/// ETag, Location, Retry-After, Idempotent-Replayed out), which problem types each problem status
/// carries, and the streamed bodies of the export.
/// </summary>
public sealed class LedgerOperationTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> ProblemMeanings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Problems.Validation] = "bad input: the body's shape or values, a query parameter, a header or the path, each named in `errors`",
        [Problems.NotFound] = "no such agreement (or not at that point in time) or subscription",
        [Problems.AlreadyExists] = "an agreement with the proposed id exists",
        [Problems.LifecycleConflict] = "the lifecycle does not allow this where it falls in effective time; `detail` names the first event that would break, and `conflict` the rule, the field and the events (docs/api.md \"Refusals\")",
        [Problems.VersionMismatch] = "`If-Match` names another version; the answer's `ETag` is the current one",
        [Problems.IdempotencyKeyReuse] = "the `Idempotency-Key` was used with another request",
        [Problems.IdempotencyKeyInFlight] = "the first request with this `Idempotency-Key` is still running (`Retry-After: 1`)",
        [Problems.Unauthorized] = "no valid bearer token",
        [Problems.Forbidden] = "the token's roles may not use this route",
        [Problems.PayloadTooLarge] = "the body is over 1 MiB",
        [Problems.RateLimited] = "the principal's rate limit, or too many open event streams; retry after `Retry-After` seconds",
        [Problems.Unavailable] = "the database cannot be reached, a lock stayed held, or the agreement's stored state was just rebuilt; nothing was recorded that was not committed; retry after `Retry-After` seconds (with the same `Idempotency-Key`)",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? HttpMethods.Get;
        var route = "/" + (description.RelativePath ?? "");
        var hasBody = metadata.OfType<IAcceptsMetadata>().Any(a => a.RequestType is not null);

        // Wolverine describes a chain without a description by its own name (POST_agreements): no description is better.
        if (metadata.OfType<IEndpointDescriptionMetadata>().LastOrDefault() is HttpChain)
        {
            operation.Description = null;
        }

        var roles = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
            .SelectMany(policy => Roles.ByPolicy.TryGetValue(policy, out var admitted) ? admitted : [])
            .Distinct(StringComparer.Ordinal).ToList();
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            // An empty requirement: no credentials needed (GET /ui/config).
            operation.Security = [new OpenApiSecurityRequirement()];
        }
        else if (roles.Count > 0)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(LedgerDocumentTransformer.BearerScheme, context.Document)] = roles },
            ];
        }

        AddRequestHeaders(operation, method, route, hasBody);
        foreach (var (status, answer) in operation.Responses ?? [])
        {
            if (answer is not OpenApiResponse response || !int.TryParse(status, out var code))
            {
                continue;
            }

            var declared = metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.StatusCode == code).ToList();
            if (declared.Select(m => m.Description).LastOrDefault(d => d is not null) is { } said)
            {
                response.Description = said;
            }
            else if (declared.OfType<ProblemResponseAttribute>().LastOrDefault() is { } problem)
            {
                response.Description = Describe(problem);
            }

            AddResponseHeaders(response, code, method, route);
        }

        if (operation.Responses is { } responses)
        {
            // In status order, whichever declared them (an endpoint's own problems come before the shared ones).
            var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            responses.Clear();
            foreach (var (status, response) in ordered)
            {
                responses[status] = response;
            }
        }

        if (route == "/audit/export" && operation.Responses?["200"] is OpenApiResponse export && export.Content is { } content)
        {
            content["application/x-ndjson"].Schema = new OpenApiSchemaReference(LedgerDocumentTransformer.ExportRecordSchema, context.Document);
            content["text/csv"].Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV with a header line (docs/audit.md)." };
        }

        return Task.CompletedTask;
    }

    private static string Describe(ProblemResponseAttribute problem) =>
        string.Join("; ", problem.Problems.Select(code => $"`{Problems.TypeUri(code)}`: {ProblemMeanings[code]}")) + ".";

    private static void AddRequestHeaders(OpenApiOperation operation, string method, string route, bool hasBody)
    {
        var headers = new List<OpenApiParameter>();
        if (method == HttpMethods.Post && route.StartsWith("/agreements", StringComparison.Ordinal))
        {
            headers.Add(Header("If-Match", route == "/agreements"
                ? "`\"0\"`: only if no agreement has the id yet (`*` never succeeds here). Any other version answers 412."
                : "`\"<version>\"` or `*`: record only if the agreement is at that version (412 otherwise, with the current `ETag`). Without it, concurrent commands are serialised."));
        }

        if (hasBody)
        {
            headers.Add(Header("Idempotency-Key", "An opaque key (at most 200 characters) scoped to the caller: a retry with the same key, route and body answers the first 2xx again, with `Idempotent-Replayed: true`, recording nothing; another body is 422."));
        }

        if (route == "/events/stream")
        {
            headers.Add(Header("Last-Event-ID", "The position (`id:`) of the last event received: the stream resumes after it, nothing lost or repeated."));
        }

        if (headers.Count > 0)
        {
            operation.Parameters ??= [];
            foreach (var header in headers)
            {
                operation.Parameters.Add(header);
            }
        }
    }

    private static void AddResponseHeaders(OpenApiResponse response, int status, string method, string route)
    {
        var command = method == HttpMethods.Post;
        var versioned = route.StartsWith("/agreements", StringComparison.Ordinal)
            && (command || route is "/agreements/{id}" or "/agreements/{id}/timeline");
        var headers = new Dictionary<string, IOpenApiHeader>();
        if (status is >= 200 and < 300)
        {
            if (versioned)
            {
                headers["ETag"] = ResponseHeader("`\"<version>\"`: the agreement's version (with time travel, as of that point).", required: true);
            }

            if (status == StatusCodes.Status201Created)
            {
                headers["Location"] = ResponseHeader("The address of what was created.", required: true);
            }

            if (command)
            {
                headers["Idempotent-Replayed"] = ResponseHeader("`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.");
            }

            if (route == "/audit/export")
            {
                headers["Content-Disposition"] = ResponseHeader("`attachment; filename=\"agreement-ledger-<position>.<format>\"`.", required: true);
            }
        }

        switch (status)
        {
            case StatusCodes.Status412PreconditionFailed:
                headers["ETag"] = ResponseHeader("The agreement's current version.");
                break;
            case StatusCodes.Status409Conflict when command:
                headers["Retry-After"] = ResponseHeader("Seconds to wait, on `/problems/idempotency-key-in-flight`.");
                break;
            case StatusCodes.Status409Conflict when route.StartsWith("/audit/checkpoint", StringComparison.Ordinal) || route.StartsWith("/audit/proofs/", StringComparison.Ordinal):
                headers["Retry-After"] = ResponseHeader("Seconds to wait until the tree has grown that far.", required: true);
                break;
            case StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable:
                headers["Retry-After"] = ResponseHeader("Seconds to wait before retrying.", required: true);
                break;
        }

        if (headers.Count > 0)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var (name, header) in headers)
            {
                response.Headers[name] = header;
            }
        }
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader ResponseHeader(string description, bool required = false) => new()
    {
        Description = description,
        Required = required,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
