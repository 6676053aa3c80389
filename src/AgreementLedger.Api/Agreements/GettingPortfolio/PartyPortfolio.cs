using AgreementLedger.Agreements.ListingAgreements;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.OpenApi;
using AgreementLedger.Infrastructure;
using Marten;
using Wolverine.Http;

namespace AgreementLedger.Agreements.GettingPortfolio;

public sealed record PartyAgreement(
    string Id,
    string Title,
    [property: ValuesFrom(typeof(Conventions), nameof(Conventions.Kinds))] string Kind,
    [property: ValuesFrom(typeof(AgreementStatus))] string Status,
    bool Signed, DateOnly? SignedOn, GettingDetails.ConsentView? Consent, bool InForce);

public sealed record PartyPortfolio(string Party, IReadOnlyList<PartyAgreement> Agreements, string? Next);

/// <summary>
/// Every agreement a party is a party to, ordered by id, with whether (and when) it signed: in one answer,
/// or with <c>limit</c> paged like the list (an opaque keyset cursor, <c>next</c> absent on the last page).
/// </summary>
public static class GetPartyPortfolioEndpoint
{
    /// <summary>How many of a page's entries are folded at once for <c>asOf</c> (each on its own pooled connection).</summary>
    public const int FoldsAtOnce = 4;

    [WolverineGet("/parties/{party}/agreements", OperationId = "getPartyPortfolio")]
    [EndpointSummary("Every agreement a party is a party to")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<PartyPortfolio>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(
        string party, string? asOf, string? limit, string? cursor, IQuerySession session, KnownAgreements known, Checkpoints.CheckpointedFold fold, HttpContext http, TimeProvider clock)
    {
        var checks = new Checks().Pattern("party", party, Conventions.Party(), Conventions.PartyRule);
        int? take = limit is null ? null : checks.Limit(limit, ListAgreementsEndpoint.DefaultLimit, ListAgreementsEndpoint.MaxLimit);
        var after = AgreementCursor.Read(cursor, checks);

        var at = PointInTime.Parse(asOf, null, null, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        // One more than the page, to know whether there is a next one.
        var count = take + 1;
        IReadOnlyList<Agreement> agreements;
        if (at.AsOf is { } knownAt)
        {
            // The rows hold what pages; the party's consent and whether it is in force come from each entry's fold then,
            // a few at a time: each fold is its own round trips on its own connection, so the page waits for the
            // slowest of a few instead of for every one in turn.
            var rows = await known.ReadAsync(knownAt, new ListFilter(party, null, null, null), after, count, http.RequestAborted);
            var folded = new Agreement[rows.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count),
                new ParallelOptions { MaxDegreeOfParallelism = FoldsAtOnce, CancellationToken = http.RequestAborted },
                async (i, ct) => folded[i] = await fold.FoldAsync(rows[i].Id, at, ct) ?? rows[i]);
            agreements = folded;
        }
        else
        {
            var query = session.Query<Agreement>().Where(a => a.Lifecycle.Parties.Contains(party));
            if (after is not null)
            {
                query = query.Where(a => a.Id.CompareTo(after) > 0);
            }

            var ordered = query.OrderBy(a => a.Id);
            agreements = await (count is { } n ? ordered.Take(n) : ordered).ToListAsync(http.RequestAborted);
        }

        var referenceDate = at.ReferenceDate(Conventions.Today(clock));
        var entries = agreements.Take(take ?? agreements.Count).Select(a => Entry(a, party, referenceDate)).ToList();
        var next = agreements.Count > entries.Count ? AgreementCursor.Format(entries[^1].Id) : null;
        return TypedResults.Ok(new PartyPortfolio(party, entries, next));
    }

    /// <summary>The party's entry: whether and when it signed, its consent, and whether the agreement is in force for it on <paramref name="referenceDate"/>.</summary>
    public static PartyAgreement Entry(Agreement agreement, string party, DateOnly referenceDate)
    {
        var lifecycle = agreement.Lifecycle;
        var signature = lifecycle.Signatories.FirstOrDefault(s => s.Party == party);
        var standing = lifecycle.Treaty.Of(party);
        return new PartyAgreement(
            agreement.Id, agreement.Title, agreement.Kind, lifecycle.Status.ToString(), signature is not null, signature?.SignedOn,
            standing is { Instrument: { } instrument, ConsentOn: { } on } ? new GettingDetails.ConsentView(instrument, on) : null,
            lifecycle.Status != AgreementStatus.Terminated && standing.InForceOnDay(referenceDate));
    }
}
