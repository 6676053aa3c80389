using System.ComponentModel.DataAnnotations;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Subscriptions.Webhooks;

[CommandBody]
public sealed record RegisterWebhook([property: Required] string? Url, IReadOnlyList<string>? Types, [property: Required] string? Secret);

/// <summary><c>POST /subscriptions</c>: deliver events recorded from now on to a URL.</summary>
public static class RegisterWebhookEndpoint
{
    public static ProblemDetails Validate(RegisterWebhook command, EventCatalogue catalogue)
    {
        var checks = new Checks()
            .Text("url", command.Url, required: true, max: 2_000)
            .Text("secret", command.Secret, required: true, max: 200)
            .Items("types", command.Types);
        if (command.Url is not null && ParseUrl(command.Url) is null)
        {
            checks.Add("url", "must be an absolute http or https URL");
        }

        if (command.Secret is { Length: < 16 })
        {
            checks.Add("secret", "must be at least 16 characters");
        }

        // Each entry is one type name, matched exactly as deliveries match it: "a,b" is no type.
        foreach (var type in command.Types ?? [])
        {
            if (type is null || !catalogue.IsKnown(type))
            {
                checks.Add("types", $"'{type}' is not an event type name (known: {string.Join(", ", catalogue.Names)})");
            }
        }

        return checks.Result();
    }

    /// <summary>
    /// Refuses a URL into the service's own network (resolving its host now); runs after
    /// <see cref="Validate"/>, so the URL is well formed here.
    /// </summary>
    public static async Task<ProblemDetails> ValidateAsync(RegisterWebhook command, WebhookDestinations destinations, HttpContext http) =>
        command.Url is not null && ParseUrl(command.Url) is { } url && await destinations.RefusalAsync(url, http.RequestAborted) is { } refusal
            ? new Checks().Add("url", refusal).Result()
            : WolverineContinue.NoProblems;

    private static Uri? ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;

    [WolverinePost("/subscriptions", OperationId = "registerWebhook")]
    [EndpointSummary("Deliver events recorded from now on to a URL")]
    [ProducesResponseType<WebhookSubscription>(StatusCodes.Status201Created)]
    public static async Task<IResult> Post(RegisterWebhook command, WebhookStore store, EventFeed feed, TimeProvider clock, HttpContext http)
    {
        var position = await feed.SafePositionAsync(http.RequestAborted);
        var types = command.Types is { Count: > 0 } ? command.Types.Distinct(StringComparer.Ordinal).ToList() : null;
        // The answer is stored with the subscription, in one transaction, for a retry with the same Idempotency-Key.
        var json = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        string? body = null;
        var added = await store.AddAsync(command.Url!, types, command.Secret!, position, clock.GetUtcNow(), subscription =>
        {
            body = System.Text.Json.JsonSerializer.Serialize(subscription, json);
            return Ledger.Idempotency.IdempotencyMiddleware.CompletionCommand(http, StatusCodes.Status201Created, body, etag: null, $"/subscriptions/{subscription.Id}");
        }, http.RequestAborted);
        Ledger.Idempotency.IdempotencyMiddleware.Committed(http);
        http.Response.Headers.Location = $"/subscriptions/{added.Id}";
        return TypedResults.Text(body!, "application/json; charset=utf-8", statusCode: StatusCodes.Status201Created);
    }
}
