using System.Text.Json;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Agreements.Proposing;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Idempotency;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace AgreementLedger.Agreements;

/// <summary>
/// The one piece of plumbing every command on an agreement runs through, in the contract's check
/// order. <see cref="AgreementWritePolicy"/> runs a loader after the slice's own Validate (400):
/// If-Match syntax (400) → the agreement's state (kept from this node's last commit to it, else read with
/// its stream's version; a snapshot behind its events repaired, 503) → exists (404). The slice then
/// decides, and <see cref="CommitAsync(Func{Agreement, Decision})"/> answers the decision: invalid against the
/// agreement (400) → If-Match (412) → lifecycle (409) → append with the full envelope, committed with the
/// idempotency record of the answer in one round trip (<see cref="LedgerAppend"/>).
/// <para>
/// The commit is optimistic: it expects the version decided on. When another writer was first, the command is
/// decided again under the stream's row lock (<see cref="LedgerAppend.LockAsync"/>), where none can be first:
/// commands without If-Match are serialised, never refused; one with If-Match gets 412 only when the version it
/// sent is not the stored one. A refusal is never answered from a kept state: it is decided again on the stored one.
/// </para>
/// </summary>
public sealed class AgreementWrite
{
    private readonly HttpContext _http;
    private readonly IDocumentStore _store;
    private readonly TimeProvider _clock;
    private readonly IfMatch _ifMatch;
    private readonly LedgerAppend _append;
    private readonly AgreementStates _states;

    // Whether this command proposes the agreement (a new stream); whether a stream of its id exists (a proposal of
    // it is refused, 409); whether Agreement is a kept state, not one read for this command.
    private readonly bool _proposal;
    private bool _exists;
    private bool _kept;

    private AgreementWrite(HttpContext http, IDocumentStore store, TimeProvider clock, IfMatch ifMatch, string id, Agreement agreement, bool proposal, bool exists, bool kept)
    {
        _http = http;
        _store = store;
        _clock = clock;
        _ifMatch = ifMatch;
        _append = http.RequestServices.GetRequiredService<LedgerAppend>();
        _states = http.RequestServices.GetRequiredService<AgreementStates>();
        _proposal = proposal;
        _exists = exists;
        _kept = kept;
        Id = id;
        Agreement = agreement;
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
        string id, HttpContext http, IDocumentStore store, TimeProvider clock)
    {
        if (IfMatch.Parse(http.Request) is not { } ifMatch)
        {
            return (BadIfMatch(), null);
        }

        if (http.RequestServices.GetRequiredService<AgreementStates>().TryGet(id, out var kept))
        {
            return (WolverineContinue.Result(), new AgreementWrite(http, store, clock, ifMatch, id, kept, proposal: false, exists: true, kept: true));
        }

        var stored = await http.RequestServices.GetRequiredService<LedgerAppend>().ReadAsync(id, http.RequestAborted);
        var (stop, agreement) = await StoredAgreement.StateAsync(id, stored, http);
        return stop is not null
            ? (stop, null)
            : (WolverineContinue.Result(), new AgreementWrite(http, store, clock, ifMatch, id, agreement!, proposal: false, exists: true, kept: false));
    }

    /// <summary>
    /// Loads what a proposal is judged against: whether a stream of its id (given, or a new GUID)
    /// exists already (If-Match "0" expects none, * expects one).
    /// </summary>
    public static async Task<(IResult Stop, AgreementWrite? Write)> LoadNewAsync(
        ProposeAgreement command, HttpContext http, IDocumentStore store, TimeProvider clock)
    {
        var id = command.Id ?? Guid.NewGuid().ToString();
        if (IfMatch.Parse(http.Request) is not { } ifMatch)
        {
            return (BadIfMatch(), null);
        }

        var existing = await http.RequestServices.GetRequiredService<LedgerAppend>().ReadAsync(id, http.RequestAborted);
        return (WolverineContinue.Result(), new AgreementWrite(http, store, clock, ifMatch, id, StoredAgreement.Existing(id, existing?.Version), proposal: true, exists: existing is not null, kept: false));
    }

    /// <summary>Answers <paramref name="decision"/> (a proposal's, which does not depend on the agreement).</summary>
    public Task<IResult> CommitAsync(Decision decision) => CommitAsync(_ => decision);

    /// <summary>
    /// Decides with <paramref name="decide"/> on the agreement and answers the decision: a refusal, or the event
    /// appended and committed (200, or 201 for a proposal). The snapshot judges a fact that comes after every
    /// known one; a rule that needs the facts it leaves out (a fact dated earlier, a retraction) decides again on
    /// the agreement folded from its events up to the version decided on.
    /// </summary>
    public async Task<IResult> CommitAsync(Func<Agreement, Decision> decide)
    {
        var decision = await DecideAsync(decide);
        if (_kept && !(decision is Decision.Accepted && _ifMatch.Matches(Agreement.Version)))
        {
            var (stop, stored) = await StoredAgreement.StateAsync(Id, await _append.ReadAsync(Id, _http.RequestAborted), _http);
            if (stop is not null)
            {
                return stop;
            }

            (Agreement, _kept) = (stored!, false);
            _states.Keep(Id, stored!);
            decision = await DecideAsync(decide);
        }

        if (Refusal(decision) is { } refused)
        {
            return refused;
        }

        try
        {
            return await CommitAsync((Decision.Accepted)decision, locked: null);
        }
        catch (Exception e) when (VersionConflict.Is(e))
        {
            // Another writer was first (on this node or another): what was kept of the agreement is behind.
            _states.Forget(Id);
        }

        await using var locked = await _append.LockAsync(Id, CancellationToken.None);
        if (_proposal)
        {
            (Agreement, _exists) = (StoredAgreement.Existing(Id, locked?.Version), locked is not null);
        }
        else
        {
            var (stop, stored) = await StoredAgreement.StateAsync(Id, locked is null ? null : (locked.Version, locked.Snapshot), _http);
            if (stop is not null)
            {
                return stop;
            }

            Agreement = stored!;
        }

        _kept = false;
        decision = await DecideAsync(decide);
        return Refusal(decision) ?? await CommitAsync((Decision.Accepted)decision, locked);
    }

    private async Task<Decision> DecideAsync(Func<Agreement, Decision> decide)
    {
        try
        {
            return decide(Agreement);
        }
        catch (FactsUnknownException)
        {
            await using var session = _store.QuerySession();
            Agreement = await AgreementFacts.LoadAsync(session, Id, Agreement.Version, _http.RequestAborted);
            return decide(Agreement);
        }
    }

    /// <summary>The answer to a decision that records nothing, in the contract's order; null when it is accepted.</summary>
    private IResult? Refusal(Decision decision)
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

        if (_proposal && _exists)
        {
            return Problems.Result(Problems.AgreementExists(Id));
        }

        return decision is Decision.Conflicting conflict ? Problems.Result(Problems.Conflict(conflict.Detail, conflict.Members)) : null;
    }

    private static IResult BadIfMatch() =>
        Problems.Result(Problems.Invalid("If-Match", "must be * or a quoted version such as \"3\""));

    /// <summary>
    /// Appends the accepted events (two for a correction) with their full envelopes and commits them through the kernel's one append (under
    /// <paramref name="locked"/> when given), with the idempotency record of the answer in the same transaction,
    /// then keeps the new state and answers exactly the bytes that were recorded.
    /// </summary>
    private async Task<IResult> CommitAsync(Decision.Accepted accepted, StreamLock? locked)
    {
        var services = _http.RequestServices;
        var serializer = _store.Options.Serializer();
        var (now, recordedBy, schema) = (_clock.GetUtcNow(), Principal.NameOf(_http.User), services.GetRequiredService<LedgerSchema>());
        var (updated, events, beside) = (Agreement, new List<(JasperFx.Events.IEvent, string)>(), new List<(string, object[])>());
        foreach (var @event in accepted.Events)
        {
            var (stamped, next, eventJson) = updated.AppendStored(Id, @event, now, recordedBy, serializer);
            events.Add((stamped, eventJson));
            beside.AddRange(Versions.AgreementVersionRows.AppendStatements(schema, updated, next));
            updated = next;
        }

        var details = AgreementDetails.From(updated, Today);
        var (status, location) = _proposal ? (StatusCodes.Status201Created, $"/agreements/{Id}") : (StatusCodes.Status200OK, null);
        var json = JsonSerializer.Serialize(details, services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        var etag = IfMatch.ETag(details.Version);

        // Set before the commit: a header the server refuses then fails a request that recorded
        // nothing, instead of answering 5xx for one that did (an error answer clears them again).
        _http.Response.Headers.ETag = etag;
        if (location is not null)
        {
            _http.Response.Headers.Location = location;
        }

        var write = new StreamWrite(Id, AgreementSnapshot.StreamTypeName, Agreement.Version, events, serializer.ToJson(updated), AgreementSnapshot.DocumentType, beside);
        await _append.CommitAsync(write, _http, new StoredAnswer(status, json, etag, location), locked);
        _states.Keep(Id, updated with { Facts = null });
        return TypedResults.Text(json, "application/json; charset=utf-8", statusCode: status);
    }
}
