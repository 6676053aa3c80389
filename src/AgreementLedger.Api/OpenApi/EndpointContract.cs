using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Wolverine.Http;
using P = AgreementLedger.Infrastructure.Problems;

namespace AgreementLedger.OpenApi;

/// <summary>
/// What every Wolverine endpoint declares beyond its own attributes, in one place: its tag (the
/// section of docs/api.md it belongs to) and the problems every route of its kind may answer
/// (docs/api.md "Errors" and "Check order"). Each endpoint declares its success bodies itself
/// with <c>[ProducesResponseType]</c> and its own problems with <see cref="ProblemResponseAttribute"/>;
/// what Wolverine infers from the handler's return type (an empty <c>IResult</c> object for 200, a 204
/// for <c>Task</c>, a bodiless 404) is dropped, since these handlers answer through <c>IResult</c> or
/// write the response themselves and the inference would describe bodies they never send.
/// </summary>
public static class EndpointContract
{
    public const string Commands = "Commands";
    public const string Queries = "Queries";
    public const string Audit = "Audit";
    public const string Subscriptions = "Subscriptions";
    public const string Webhooks = "Webhooks";

    /// <summary>The page's own anonymous route, <c>GET /ui/config</c> (mapped by the Ui feature, not by Wolverine).</summary>
    public const string WebPage = "Web page";

    public static void Apply(WolverineHttpOptions options) => options.ConfigureEndpoints(Describe);

    private static void Describe(HttpChain chain)
    {
        var method = chain.HttpMethods.FirstOrDefault() ?? HttpMethods.Get;
        var route = chain.RoutePattern?.RawText ?? "";
        chain.Metadata.WithTags(TagFor(method, route));
        var shared = ProblemsFor(method, route, CommandBodyStrategy.CommandOf(chain) is not null);
        chain.Finally(builder =>
        {
            var metadata = builder.Metadata;
            for (var i = metadata.Count - 1; i >= 0; i--)
            {
                if (metadata[i] is ProducesResponseTypeMetadata)
                {
                    metadata.RemoveAt(i);
                }
            }

            var own = metadata.OfType<ProblemResponseAttribute>().Select(p => p.StatusCode).ToHashSet();
            foreach (var problem in shared.Where(p => !own.Contains(p.StatusCode)))
            {
                metadata.Add(problem);
            }
        });
    }

    /// <summary>The section of docs/api.md a route is described in.</summary>
    public static string TagFor(string method, string route) => route switch
    {
        _ when route.StartsWith("/audit", StringComparison.Ordinal) => Audit,
        _ when route.StartsWith("/events", StringComparison.Ordinal) => Subscriptions,
        _ when route.StartsWith("/subscriptions", StringComparison.Ordinal) => Webhooks,
        _ when method == HttpMethods.Post => Commands,
        _ => Queries,
    };

    /// <summary>
    /// The problems every route of a kind may answer. Any route: 400 (a control character in the path or
    /// query is refused on every route, and so is a bad query parameter), 401, 403, 429 (when rate limiting is
    /// configured) and 503. A route with a body: 413, 415, and the Idempotency-Key answers (409 in flight,
    /// 422 reused). A route naming an agreement or subscription by id: 404. A command on an agreement: 412
    /// (If-Match) and 409 (the lifecycle; a proposal's id that exists).
    /// </summary>
    public static IReadOnlyList<ProblemResponseAttribute> ProblemsFor(string method, string route, bool hasBody)
    {
        var conflicts = new List<string>();
        var problems = new List<ProblemResponseAttribute>
        {
            new(StatusCodes.Status400BadRequest, P.Validation),
            new(StatusCodes.Status401Unauthorized, P.Unauthorized),
            new(StatusCodes.Status403Forbidden, P.Forbidden),
            new(StatusCodes.Status429TooManyRequests, P.RateLimited),
            new(StatusCodes.Status503ServiceUnavailable, P.Unavailable),
        };
        if (route.Contains("{id}", StringComparison.Ordinal))
        {
            problems.Add(new(StatusCodes.Status404NotFound, P.NotFound));
        }

        var agreementCommand = method == HttpMethods.Post && route.StartsWith("/agreements", StringComparison.Ordinal);
        if (agreementCommand)
        {
            problems.Add(new(StatusCodes.Status412PreconditionFailed, P.VersionMismatch));
            conflicts.Add(route == "/agreements" ? P.AlreadyExists : P.LifecycleConflict);
        }

        if (hasBody)
        {
            conflicts.Add(P.IdempotencyKeyInFlight);
            problems.Add(new(StatusCodes.Status413PayloadTooLarge, P.PayloadTooLarge));
            problems.Add(new(StatusCodes.Status415UnsupportedMediaType, P.Validation) { Description = "`/problems/validation`: the body is not `application/json`." });
            problems.Add(new(StatusCodes.Status422UnprocessableEntity, P.IdempotencyKeyReuse));
        }

        if (conflicts.Count > 0)
        {
            problems.Add(new(StatusCodes.Status409Conflict, [.. conflicts]));
        }

        return [.. problems.OrderBy(p => p.StatusCode)];
    }
}
