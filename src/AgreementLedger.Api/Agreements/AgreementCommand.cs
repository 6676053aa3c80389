using AgreementLedger.Agreements.GettingDetails;
using System.Text.Json;
using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Idempotency;
using AgreementLedger.Ledger;
using Microsoft.Extensions.Options;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.Agreements;

/// <summary>What a command decided: the event to record, or why the input is refused.</summary>
public sealed record Decision(object? Event, ProblemDetails? Problem)
{
    public static Decision Accept(IAgreementEvent @event) => new(@event, null);

    public static Decision Accept(EventRetracted retraction) => new(retraction, null);

    public static Decision Refuse(ProblemDetails problem) => new(null, problem);
}

/// <summary>
/// How every command on an existing agreement runs, in the contract's check order:
/// If-Match syntax (400) → exists (404) → the command's own input checks against state (400) →
/// If-Match (412) → lifecycle in effective time (409) → append with the full envelope. The stream's
/// row is locked for the whole command, so commands without If-Match are serialised, never refused.
/// </summary>
public static class AgreementCommand
{
    public static async Task<IResult> Execute(
        HttpContext http,
        IDocumentSession session,
        TimeProvider clock,
        string id,
        Func<Agreement, DateOnly, Decision> decide)
    {
        var ct = http.RequestAborted;
        if (IfMatch.Parse(http.Request) is not { } ifMatch)
        {
            return Problems.Result(Problems.Invalid("If-Match", "must be * or a quoted version such as \"3\""));
        }

        var stream = await session.Events.FetchForExclusiveWriting<Agreement>(id, ct);
        if (stream.StartingVersion is > 0 and var streamVersion && stream.Aggregate?.Version != streamVersion)
        {
            // The snapshot is missing or behind the events (overwritten by a foreign rebuild, restored
            // apart from them, edited). Deciding on it would chain the new event to the wrong hash and
            // version: rebuild it from the events and have the client retry, nothing appended.
            await http.RequestServices.GetRequiredService<Rebuilding.SnapshotRebuilder>().RepairAsync(id, streamVersion, ct);
            http.Response.Headers.RetryAfter = "1";
            return Problems.Result(Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Agreement repaired, retry",
                $"The stored state of '{id}' was behind its events and has just been rebuilt from them; nothing was recorded. Retry the command."));
        }

        if (stream.Aggregate is not { } agreement)
        {
            return Problems.Result(Problems.AgreementNotFound(id));
        }

        var decision = decide(agreement, Conventions.Today(clock));
        if (decision.Problem is { } refused)
        {
            return Problems.Result(refused);
        }

        var @event = decision.Event!;
        if (@event is IAgreementEvent { OccurredOn: var occurredOn } && occurredOn < agreement.ProposedOn)
        {
            return Problems.Result(Problems.Invalid("occurredOn",
                $"must not be before the proposal's occurredOn ({agreement.ProposedOn:yyyy-MM-dd})"));
        }

        if (!ifMatch.Matches(agreement.Version))
        {
            http.Response.Headers.ETag = IfMatch.ETag(agreement.Version);
            return Problems.Result(Problems.Mismatch(agreement.Version, ifMatch.Raw));
        }

        if (Conflict(agreement, @event) is { } conflict)
        {
            return Problems.Result(Problems.Conflict(conflict));
        }

        var (stamped, updated) = agreement.Append(id, @event, clock.GetUtcNow(), Principal.NameOf(http.User), session.DocumentStore.Options.Serializer());
        stream.AppendOne(stamped);
        return await CommitAsync(http, session, StatusCodes.Status200OK, AgreementDetails.From(updated, Conventions.Today(clock)), location: null);
    }

    /// <summary>Why recording the event now would leave a history the lifecycle does not allow, or null.</summary>
    private static string? Conflict(Agreement agreement, object @event) => @event switch
    {
        IAgreementEvent fact when agreement.WouldBreak(fact) is { } broken =>
            $"Recording this would break the lifecycle at {broken.Describe()}.",
        EventRetracted retraction when agreement.RetractionRefusal(retraction.Version) is { } refusal =>
            $"The event cannot be retracted: {refusal.Reason}.",
        _ => null,
    };

    /// <summary>
    /// Commits the appended events together with the idempotency record of the answer (one
    /// transaction), then answers exactly the bytes that were recorded.
    /// </summary>
    public static async Task<IResult> CommitAsync(HttpContext http, IDocumentSession session, int status, AgreementDetails details, string? location)
    {
        var json = JsonSerializer.Serialize(details, http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        var etag = IfMatch.ETag(details.Version);
        IdempotencyMiddleware.Complete(http, session, status, json, etag, location);
        var appended = session.PendingChanges.Streams().SelectMany(s => s.Events).Select(e => EventTypeNames.Of(e.Data)).ToList();
        session.QueueOperation(http.RequestServices.GetRequiredService<EventTableAppendLock>());

        // Set before the commit: a header the server refuses then fails a request that recorded
        // nothing, instead of answering 5xx for one that did (an error answer clears them again).
        http.Response.Headers.ETag = etag;
        if (location is not null)
        {
            http.Response.Headers.Location = location;
        }

        using (var span = LedgerMetrics.Source.StartActivity("ledger.append"))
        {
            span?.SetTag("ledger.agreement_id", details.Id);
            span?.SetTag("ledger.event_types", string.Join(',', appended));
            span?.SetTag("ledger.stream_version", details.Version);
            await session.SaveChangesAsync(CancellationToken.None);
        }

        IdempotencyMiddleware.Committed(http);
        appended.ForEach(http.RequestServices.GetRequiredService<LedgerMetrics>().EventAppended);
        return TypedResults.Text(json, "application/json; charset=utf-8", statusCode: status);
    }
}
