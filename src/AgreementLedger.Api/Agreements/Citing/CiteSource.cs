using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Citing;

[CommandBody]
public sealed record CiteSource([property: Required] string? Publisher, string? Url, DateOnly? PublishedOn, string? Note, DateOnly? OccurredOn);

public static class CiteSourceEndpoint
{
    public static ProblemDetails Validate(CiteSource command, TimeProvider clock)
    {
        var today = Conventions.Today(clock);
        var checks = new Checks().NotInFuture("occurredOn", command.OccurredOn, today);
        Conventions.CheckSource(checks, "", command.Publisher, command.Url, command.PublishedOn, command.Note, today);
        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/sources", OperationId = "citeSource")]

    [EndpointSummary("Cite a source (source_cited)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, CiteSource command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(CiteSource command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static SourceCited Event(CiteSource command, DateOnly today) =>
        new(command.Publisher!, command.Url, command.PublishedOn, command.Note, command.OccurredOn ?? today);
}
