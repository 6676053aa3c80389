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
    bool Signed, DateOnly? SignedOn);

public sealed record PartyPortfolio(string Party, IReadOnlyList<PartyAgreement> Agreements);

/// <summary>Every agreement a party is a party to, ordered by id, with whether (and when) it signed.</summary>
public static class GetPartyPortfolioEndpoint
{
    [WolverineGet("/parties/{party}/agreements", OperationId = "getPartyPortfolio")]
    [EndpointSummary("Every agreement a party is a party to")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<PartyPortfolio>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string party, string? asOf, IQuerySession session, StoredEvents events, HttpContext http)
    {
        var checks = new Checks().Pattern("party", party, Conventions.Party(), Conventions.PartyRule);
        var at = PointInTime.Parse(asOf, null, null, checks);
        if (!checks.Ok)
        {
            return Problems.Result(checks.Result());
        }

        var entries = new List<PartyAgreement>();
        if (at.AsOf is { } knownAt)
        {
            await foreach (var agreement in PointInTime.PortfolioAsync(events, knownAt, null, http.RequestAborted))
            {
                if (agreement.Lifecycle.Parties.Contains(party))
                {
                    entries.Add(Entry(agreement, party));
                }
            }
        }
        else
        {
            var agreements = await session.Query<Agreement>()
                .Where(a => a.Lifecycle.Parties.Contains(party))
                .OrderBy(a => a.Id)
                .ToListAsync(http.RequestAborted);
            entries.AddRange(agreements.Select(a => Entry(a, party)));
        }

        return TypedResults.Ok(new PartyPortfolio(party, entries));
    }

    public static PartyAgreement Entry(Agreement agreement, string party)
    {
        var signature = agreement.Lifecycle.Signatories.FirstOrDefault(s => s.Party == party);
        return new PartyAgreement(agreement.Id, agreement.Title, agreement.Kind, agreement.Lifecycle.Status.ToString(), signature is not null, signature?.SignedOn);
    }
}
