using System.Text.Json;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Agreements.Proposing;
using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Idempotency;
using Marten;
using JasperFx.Events;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace AgreementLedger.Agreements;

/// <summary>
/// The one piece of plumbing every command on an agreement runs through, in the contract's check
/// order. <see cref="AgreementWritePolicy"/> runs a loader after the slice's own Validate (400):
/// If-Match syntax (400) → the agreement's stream locked for the whole command (so commands
/// without If-Match are serialised, never refused) → a snapshot behind its events repaired (503) →
/// exists (404). The slice then decides, and <see cref="CommitAsync"/> answers the decision:
/// invalid against the agreement (400) → If-Match (412) → lifecycle (409) → append with the full
/// envelope, committed with the idempotency record of the answer.
/// </summary>
public sealed class AgreementWrite
{
    private readonly HttpContext _http;
    private readonly IDocumentSession _session;
    private readonly TimeProvider _clock;
    private readonly IfMatch _ifMatch;

    /// <summary>The locked stream of an existing agreement; null for a proposal.</summary>
    private readonly IEventStream<Agreement>? _stream;

    /// <summary>Whether a stream of this id exists already: a proposal of it is refused (409).</summary>
    private readonly bool _exists;

    private AgreementWrite(HttpContext http, IDocumentSession session, TimeProvider clock, IfMatch ifMatch, string id, Agreement agreement, IEventStream<Agreement>? stream, bool exists)
    {
        _http = http;
        _session = session;
        _clock = clock;
        _ifMatch = ifMatch;
        Id = id;
        Agreement = agreement;
        _stream = stream;
        _exists = exists;
        Today = Conventions.Today(clock);
    }

    public string Id { get; }

    /// <summary>
    /// The agreement decided on: its newest state (as its snapshot holds it, or folded from its events
    /// when a rule needs the facts), or an empty one for a proposal.
    /// </summary>
    public Agreement Agreement { get; private set; }

    /// <summary>The service's day (UTC): what an omitted occurredOn defaults to.</summary>
    public DateOnly Today { get; }

    /// <summary>Loads agreement <paramref name="id"/> for a command on it, or answers why not.</summary>
    public static async Task<(IResult Stop, AgreementWrite? Write)> LoadAsync(
        string id, HttpContext http, IDocumentSession session, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        if (IfMatch.Parse(http.Request) is not { } ifMatch)
        {
            return (BadIfMatch(), null);
        }

        var stream = await session.Events.FetchForExclusiveWriting<Agreement>(id, ct);
        if (stream.StartingVersion is > 0 and var streamVersion && stream.Aggregate?.Version != streamVersion)
        {
            // The snapshot is missing or behind the events (overwritten by a foreign rebuild, restored
            // apart from them, edited). Deciding on it would chain the new event to the wrong hash and
            // version: rebuild it from the events and have the client retry, nothing appended.
            await http.RequestServices.GetRequiredService<SnapshotRebuilder>().RepairAsync(id, streamVersion, ct);
            http.Response.Headers.RetryAfter = "1";
            return (Problems.Result(Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.Unavailable, "Agreement repaired, retry",
                $"The stored state of '{id}' was behind its events and has just been rebuilt from them; nothing was recorded. Retry the command.")), null);
        }

        if (stream.Aggregate is not { } agreement)
        {
            return (Problems.Result(Problems.AgreementNotFound(id)), null);
        }

        return (WolverineContinue.Result(), new AgreementWrite(http, session, clock, ifMatch, id, agreement, stream, exists: true));
    }

    /// <summary>
    /// Loads what a proposal is judged against: whether a stream of its id (given, or a new GUID)
    /// exists already (If-Match "0" expects none, * expects one).
    /// </summary>
    public static async Task<(IResult Stop, AgreementWrite? Write)> LoadNewAsync(
        ProposeAgreement command, HttpContext http, IDocumentSession session, TimeProvider clock)
    {
        var id = command.Id ?? Guid.NewGuid().ToString();
        if (IfMatch.Parse(http.Request) is not { } ifMatch)
        {
            return (BadIfMatch(), null);
        }

        var existing = await session.Events.FetchStreamStateAsync(id, http.RequestAborted);
        var current = existing is null ? new Agreement() : new Agreement { Id = id, Version = existing.Version };
        return (WolverineContinue.Result(), new AgreementWrite(http, session, clock, ifMatch, id, current, stream: null, exists: existing is not null));
    }

    /// <summary>
    /// Decides with <paramref name="decide"/> on the agreement and answers the decision. The snapshot
    /// judges a fact that comes after every known one; a rule that needs the facts it leaves out (a fact
    /// dated earlier, a retraction) decides again on the agreement folded from its events, read under the
    /// stream lock this command holds.
    /// </summary>
    public async Task<IResult> CommitAsync(Func<Agreement, Decision> decide)
    {
        Decision decision;
        try
        {
            decision = decide(Agreement);
        }
        catch (FactsUnknownException)
        {
            Agreement = await AgreementFacts.LoadAsync(_session, Id, Agreement.Version, _http.RequestAborted);
            decision = decide(Agreement);
        }

        return await CommitAsync(decision);
    }

    /// <summary>Answers the decision: a refusal, or the event appended and committed (200, or 201 for a proposal).</summary>
    public async Task<IResult> CommitAsync(Decision decision)
    {
        if (decision is Decision.Refused refused)
        {
            return Problems.Result(Problems.Invalid(refused.Member, refused.Reason));
        }

        var current = Agreement.Version;
        if (!_ifMatch.Matches(current))
        {
            if (_exists)
            {
                _http.Response.Headers.ETag = IfMatch.ETag(current);
            }

            return Problems.Result(Problems.Mismatch(current, _ifMatch.Raw));
        }

        if (_stream is null && _exists)
        {
            return Problems.Result(Problems.AgreementExists(Id));
        }

        if (decision is Decision.Conflicting conflict)
        {
            return Problems.Result(Problems.Conflict(conflict.Detail));
        }

        var @event = ((Decision.Accepted)decision).Event;
        var (stamped, updated) = Agreement.Append(Id, @event, _clock.GetUtcNow(), Principal.NameOf(_http.User), _session.DocumentStore.Options.Serializer());
        Versions.AgreementVersionRows.QueueAppend(_session, _http.RequestServices.GetRequiredService<LedgerSchema>(), updated);
        if (_stream is null)
        {
            _session.Events.StartStream<Agreement>(Id, stamped);
            return await CommitAsync(StatusCodes.Status201Created, AgreementDetails.From(updated, Today), $"/agreements/{Id}");
        }

        _stream.AppendOne(stamped);
        return await CommitAsync(StatusCodes.Status200OK, AgreementDetails.From(updated, Today), location: null);
    }

    private static IResult BadIfMatch() =>
        Problems.Result(Problems.Invalid("If-Match", "must be * or a quoted version such as \"3\""));

    /// <summary>
    /// Commits the appended events through the kernel's one append, with the idempotency record of
    /// the answer in the same transaction, then answers exactly the bytes that were recorded.
    /// </summary>
    private async Task<IResult> CommitAsync(int status, AgreementDetails details, string? location)
    {
        var services = _http.RequestServices;
        var json = JsonSerializer.Serialize(details, services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        var etag = IfMatch.ETag(details.Version);

        // Set before the commit: a header the server refuses then fails a request that recorded
        // nothing, instead of answering 5xx for one that did (an error answer clears them again).
        _http.Response.Headers.ETag = etag;
        if (location is not null)
        {
            _http.Response.Headers.Location = location;
        }

        await services.GetRequiredService<LedgerAppend>().CommitAsync(_session, _http, new StoredAnswer(status, json, etag, location), details.Id, details.Version);
        return TypedResults.Text(json, "application/json; charset=utf-8", statusCode: status);
    }
}
