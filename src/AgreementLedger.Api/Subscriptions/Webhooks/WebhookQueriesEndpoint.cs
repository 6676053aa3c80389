using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Subscriptions.Webhooks;

public sealed record WebhookList(IReadOnlyList<WebhookSubscription> Items);

/// <summary><c>GET /subscriptions</c>, <c>GET /subscriptions/{id}</c>, <c>DELETE /subscriptions/{id}</c>.</summary>
public static class WebhookQueriesEndpoint
{
    private static ProblemDetails NotFound(string id) =>
        Problems.Create(StatusCodes.Status404NotFound, Problems.NotFound, "Subscription not found", $"No subscription with id '{id}' exists.");

    [WolverineGet("/subscriptions", OperationId = "listWebhooks")]
    [EndpointSummary("Every webhook subscription")]
    [ProducesResponseType<WebhookList>(StatusCodes.Status200OK)]
    public static async Task<WebhookList> List(WebhookStore store, HttpContext http) => new(await store.ListAsync(http.RequestAborted));

    [WolverineGet("/subscriptions/{id}", OperationId = "getWebhook")]
    [EndpointSummary("One webhook subscription and how its deliveries fare")]
    [ProducesResponseType<WebhookSubscription>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string id, WebhookStore store, HttpContext http) =>
        await store.FindAsync(id, http.RequestAborted) is { } found
            ? TypedResults.Ok(found)
            : Problems.Result(NotFound(id));

    [WolverineDelete("/subscriptions/{id}", OperationId = "deleteWebhook")]
    [EndpointSummary("Stop a webhook subscription")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static async Task<IResult> Delete(string id, WebhookStore store, HttpContext http) =>
        await store.DeleteAsync(id, http.RequestAborted)
            ? TypedResults.NoContent()
            : Problems.Result(NotFound(id));
}
