using AgreementLedger.Infrastructure;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AgreementLedger.Ledger;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace AgreementLedger.Ledger.Idempotency;

/// <summary>The claim a keyed command holds while it runs.</summary>
public sealed class IdempotencyClaim(string principal, string key, DateTimeOffset claimedAt)
{
    public string Principal { get; } = principal;

    public string Key { get; } = key;

    /// <summary>When it was claimed, to the microsecond PostgreSQL keeps: it names this claim among later ones.</summary>
    public DateTimeOffset ClaimedAt { get; } = claimedAt;

    public bool Completed { get; set; }
}

/// <summary>
/// <c>Idempotency-Key</c> on commands (docs/api.md "Conventions"), checked right after authentication and
/// before the body is validated: a retry with the same key and the same body (as canonical JSON)
/// gets the first 2xx answer again with <c>Idempotent-Replayed: true</c>; another body is 422; a
/// retry while the first is still running is 409.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, PendingReleases pending, TimeProvider clock, IOptions<IdempotencyOptions> options, LedgerMetrics metrics)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task InvokeAsync(HttpContext http)
    {
        var isCommand = HttpMethods.IsPost(http.Request.Method)
            && http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not null;
        if (!isCommand || !http.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(http);
            return;
        }

        var key = values.ToString();
        if (key.Length is 0 or > IdempotencyOptions.MaxKeyLength || values.Count > 1)
        {
            await Problems.Result(Problems.Invalid(Header, $"must be one opaque string of 1 to {IdempotencyOptions.MaxKeyLength} characters")).ExecuteAsync(http);
            return;
        }

        var body = await RequestBody.ReadAsync(http);
        if (body.TooLarge)
        {
            // Refused as too large further on; a refusal is never stored.
            await next(http);
            return;
        }

        var principal = Principal.NameOf(http.User);
        var now = clock.GetUtcNow();
        var claimedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var outcome = await store.ClaimAsync(principal, key, Fingerprint(http.Request, body), claimedAt, options.Value, http.RequestAborted);
        switch (outcome)
        {
            case ClaimOutcome.Replay replay:
                metrics.IdempotentReplay();
                await WriteReplayAsync(http, replay.Answer);
                return;
            case ClaimOutcome.OtherBody:
                await Problems.Result(Problems.Create(StatusCodes.Status422UnprocessableEntity, Problems.IdempotencyKeyReuse,
                    "Idempotency key reused", $"The key '{key}' was first used with another request; use a new key for a new request.")).ExecuteAsync(http);
                return;
            case ClaimOutcome.InFlight:
                http.Response.Headers.RetryAfter = "1";
                await Problems.Result(Problems.Create(StatusCodes.Status409Conflict, Problems.IdempotencyKeyInFlight,
                    "Idempotency key in flight", $"A request with the key '{key}' is still running; retry shortly to get its answer.")).ExecuteAsync(http);
                return;
        }

        var claim = new IdempotencyClaim(principal, key, claimedAt);
        http.Features.Set(claim);
        try
        {
            await next(http);
        }
        finally
        {
            if (!claim.Completed)
            {
                try
                {
                    await store.ReleaseAsync(principal, key, claimedAt, CancellationToken.None);
                }
                catch (Exception e) when (PendingReleases.IsOutage(e))
                {
                    // The database went away with the request: release the claim as soon as it is
                    // back, so the client's retry is not refused as in flight for a whole lease.
                    pending.Add(claim, e);
                }
            }
        }
    }

    /// <summary>
    /// The statement that completes the request's claim, for a command that writes with Npgsql directly (one that appends events commits through LedgerAppend)
    /// (run it in the transaction that records the command), or null when the request carries no key.
    /// </summary>
    public static NpgsqlCommand? CompletionCommand(HttpContext http, int status, string body, string? etag, string? location)
    {
        if (http.Features.Get<IdempotencyClaim>() is not { } claim)
        {
            return null;
        }

        var store = http.RequestServices.GetRequiredService<IdempotencyStore>();
        var command = new NpgsqlCommand(store.CompletePositionalSql);
        foreach (var value in IdempotencyStore.CompletionValues(claim.Principal, claim.Key, status, body, etag, location))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    /// <summary>Marks the claim done once the transaction that completed it has committed.</summary>
    public static void Committed(HttpContext http)
    {
        if (http.Features.Get<IdempotencyClaim>() is { } claim)
        {
            claim.Completed = true;
        }
    }

    private static async Task WriteReplayAsync(HttpContext http, StoredAnswer answer)
    {
        http.Response.StatusCode = answer.Status;
        http.Response.Headers[ReplayedHeader] = "true";
        if (answer.ETag is not null)
        {
            http.Response.Headers.ETag = answer.ETag;
        }

        if (answer.Location is not null)
        {
            http.Response.Headers.Location = answer.Location;
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(answer.Body, http.RequestAborted);
    }

    /// <summary>
    /// Method, path and the body as canonical JSON with exact numbers (raw bytes when it is not JSON):
    /// two bodies whose amounts differ by a cent never share a fingerprint, however large.
    /// </summary>
    private static string Fingerprint(HttpRequest request, RequestBody body)
    {
        string content;
        try
        {
            content = body.Document is { } document ? CanonicalJson.SerializeWithExactNumbers(document.RootElement) : Convert.ToHexString(body.Bytes);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            content = Convert.ToHexString(body.Bytes);
        }

        var text = $"{request.Method} {request.Path}\n{content}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
