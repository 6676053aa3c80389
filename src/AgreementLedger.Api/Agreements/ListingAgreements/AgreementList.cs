using AgreementLedger.Agreements.Checkpoints;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.OpenApi;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.ListingAgreements;

/// <summary>The earliest target not met (by target date, then the milestone's place on the line).</summary>
public sealed record NextTarget([property: ValuesFrom(typeof(Lifecycle), nameof(Lifecycle.Milestones))] string Milestone, DateOnly TargetDate, bool Overdue);

public sealed record AgreementListItem(
    string Id,
    string Title,
    [property: ValuesFrom(typeof(Conventions), nameof(Conventions.Kinds))] string Kind,
    [property: ValuesFrom(typeof(AgreementStatus))] string Status,
    IReadOnlyList<string> Parties,
    DateOnly ProposedOn,
    long Version,
    IReadOnlyList<StageReached> Stages,
    NextTarget? NextTarget,
    string LastRecordedAt)
{
    /// <summary>The item of a folded agreement; <paramref name="referenceDate"/> decides whether its next target is overdue.</summary>
    public static AgreementListItem From(Agreement agreement, DateOnly referenceDate)
    {
        var lifecycle = agreement.Lifecycle;
        return new AgreementListItem(
            agreement.Id, agreement.Title, agreement.Kind, lifecycle.Status.ToString(), lifecycle.Parties, agreement.ProposedOn,
            agreement.Version, AgreementDetails.StagesOf(agreement), NextTargetOf(agreement, referenceDate), EventEnvelope.FormatInstant(agreement.LastRecordedAt));
    }

    /// <summary>The earliest target not met, judged as the details judge it; null when every target is met or there is none.</summary>
    public static NextTarget? NextTargetOf(Agreement agreement, DateOnly referenceDate) => agreement.Lifecycle.Targets
        .Select(t => AgreementDetails.Judge(agreement.Lifecycle, t, referenceDate))
        .Where(t => !t.Met)
        .OrderBy(t => t.TargetDate).ThenBy(t => Enum.Parse<AgreementStatus>(t.Milestone))
        .Select(t => new NextTarget(t.Milestone, t.TargetDate, t.Overdue))
        .FirstOrDefault();
}

public sealed record AgreementList(IReadOnlyList<AgreementListItem> Items, string? Next);

/// <summary>
/// The portfolio, filtered, as known now or at <c>asOf</c>, and as in effect now or on <c>effectiveOn</c>, ordered by
/// id (or by <c>sort</c>), paged with an opaque keyset cursor that keeps the order.
/// <para>
/// By id and without <c>effectiveOn</c> a page costs what it shows: the snapshots now, the version rows at
/// <c>asOf</c> (<see cref="KnownAgreements"/>), then each item of the page folded from its nearest checkpoint for
/// its stages and targets. Another order, or <c>effectiveOn</c> (which no stored state serves: a fact dated late
/// changes every effective-time prefix), reads every agreement the time-independent filters (party, area, kind) let
/// through, as in effect then (<see cref="SortedList"/>): work in proportion to those agreements, not to the page.
/// </para>
/// </summary>
public static class ListAgreementsEndpoint
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    [WolverineGet("/agreements", OperationId = "listAgreements")]
    [EndpointSummary("The agreements, filtered, by id or another order, page by page")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<AgreementList>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(
        string? party, string? status, string? area, string? kind, string? inForce, string? asOf, string? effectiveOn, string? sort, string? limit, string? cursor,
        IQuerySession session, KnownAgreements known, CheckpointedFold fold, HttpContext http, TimeProvider clock)
    {
        var checks = new Checks()
            .Pattern("party", party, Conventions.Party(), Conventions.PartyRule)
            .Pattern("area", area, Conventions.Area(), Conventions.AreaRule)
            .OneOf("kind", kind, Conventions.Kinds)
            .OneOf("status", status, Enum.GetNames<AgreementStatus>().ToHashSet(StringComparer.Ordinal));
        var take = checks.Limit(limit, DefaultLimit, MaxLimit);
        var order = ListOrder.Parse(sort, checks);
        var at = PointInTime.Parse(asOf, null, effectiveOn, checks);
        bool? wantInForce = inForce switch { "true" => true, "false" => false, _ => null };
        if (inForce is not null && wantInForce is null)
        {
            checks.Add("inForce", "must be true or false");
        }

        // In force is judged on the reference date, which no stored row holds: like another order, it reads every candidate.
        var sorted = order is not { ById: true } || at.EffectiveOn is not null || wantInForce is not null;
        var after = sorted ? null : AgreementCursor.Read(cursor, checks);
        var afterKey = sorted ? SortedList.ReadCursor(cursor, order, checks) : null;
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var filter = new ListFilter(party, status is null ? null : Enum.Parse<AgreementStatus>(status), area, kind);
        var referenceDate = at.ReferenceDate(Conventions.Today(clock));
        var ct = http.RequestAborted;
        if (sorted)
        {
            Func<Agreement, bool> also = wantInForce is { } wanted ? a => TreatyLaw.TreatyRules.InForce(a.Lifecycle, referenceDate) == wanted : _ => true;
            var found = await SortedList.PageAsync(filter, also, at, order!, afterKey, take, session, known, fold, ct);
            var shown = found.Take(take).Select(a => AgreementListItem.From(a, referenceDate)).ToList();
            return TypedResults.Ok(new AgreementList(shown, found.Count > take ? SortedList.FormatCursor(order!, found[take - 1]) : null));
        }

        IReadOnlyList<Agreement> page;
        if (at.AsOf is { } knownAt)
        {
            // The rows hold what filters and pages; each item's stages and targets come from its fold at that instant.
            var rows = await known.ReadAsync(knownAt, filter, after, take + 1, ct);
            var folded = new List<Agreement>(rows.Count);
            foreach (var row in rows)
            {
                folded.Add(await fold.FoldAsync(row.Id, new PointInTime(knownAt, null, null), ct) ?? row);
            }

            page = folded;
        }
        else
        {
            var query = SortedList.Snapshots(session, filter);
            if (after is not null)
            {
                query = query.Where(a => a.Id.CompareTo(after) > 0);
            }

            page = await query.OrderBy(a => a.Id).Take(take + 1).ToListAsync(ct);
        }

        var items = page.Take(take).Select(a => AgreementListItem.From(a, referenceDate)).ToList();
        var next = page.Count > take ? AgreementCursor.Format(items[^1].Id) : null;
        return TypedResults.Ok(new AgreementList(items, next));
    }
}
