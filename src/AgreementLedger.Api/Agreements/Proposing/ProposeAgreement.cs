using AgreementLedger.Ledger;
using AgreementLedger.OpenApi;
using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Proposing;

public sealed record SourceInput([property: Required] string? Publisher, string? Url, DateOnly? PublishedOn, string? Note);

[CommandBody]
public sealed record ProposeAgreement(
    string? Id,
    [property: Required] string? Title,
    [property: Required, ValuesFrom(typeof(Conventions), nameof(Conventions.Kinds))] string? Kind,
    [property: Required] IReadOnlyList<string>? Parties,
    [property: Required] IReadOnlyList<string>? Areas,
    string? Summary,
    DateOnly? OccurredOn,
    IReadOnlyList<SourceInput>? Sources);

public static class ProposeAgreementEndpoint
{
    public static ProblemDetails Validate(ProposeAgreement command, TimeProvider clock)
    {
        var today = Conventions.Today(clock);
        var checks = new Checks()
            .Pattern("id", command.Id, AgreementIds.Pattern(), AgreementIds.Rule)
            .Text("title", command.Title, required: true, max: 300)
            .Text("summary", command.Summary, max: Checks.MaxLongText)
            .NotInFuture("occurredOn", command.OccurredOn, today)
            .Items("parties", command.Parties, required: true, min: 1)
            .Items("areas", command.Areas, required: true)
            .Items("sources", command.Sources)
            .OneOf("kind", command.Kind, Conventions.Kinds, required: true);

        checks.Codes("parties", command.Parties, Conventions.Party(), Conventions.PartyRule);
        checks.Codes("areas", command.Areas, Conventions.Area(), Conventions.AreaRule);
        CheckSources(checks, command.Sources, today);
        return checks.Result();
    }

    [WolverinePost("/agreements", OperationId = "proposeAgreement")]
    [EndpointSummary("Propose an agreement (agreement_proposed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status201Created)]
    public static Task<IResult> Post(ProposeAgreement command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(Decide(command, write.Id, write.Today));

    /// <summary>
    /// The proposal event (the body after defaults) admitted as the first event of agreement
    /// <paramref name="id"/>: no agreement exists yet, so nothing can refuse it.
    /// </summary>
    public static Decision Decide(ProposeAgreement command, string id, DateOnly today) => new Agreement().Admit(new AgreementProposed(
        id,
        command.Title!,
        command.Kind!,
        command.Parties!,
        command.Areas!,
        command.Summary,
        command.OccurredOn ?? today,
        (command.Sources ?? []).Select(s => new SourceReference(s.Publisher!, s.Url, s.PublishedOn, s.Note)).ToList()));

    private static void CheckSources(Checks checks, IReadOnlyList<SourceInput>? sources, DateOnly today)
    {
        for (var i = 0; i < (sources?.Count ?? 0); i++)
        {
            var source = sources![i];
            var at = $"sources[{i}]";
            if (source is null)
            {
                checks.Add(at, "must be an object");
                continue;
            }

            Conventions.CheckSource(checks, at, source.Publisher, source.Url, source.PublishedOn, source.Note, today);
        }
    }
}
