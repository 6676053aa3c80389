using System.ComponentModel.DataAnnotations;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Committing;

[CommandBody]
public sealed record CommitFunding([property: Required] string? Funder, [property: Required] decimal? Amount, [property: Required] string? Currency, string? Purpose, DateOnly? OccurredOn);

public static class CommitFundingEndpoint
{
    /// <summary>
    /// 10^13 (docs/api.md "Conventions"): large enough for any defence budget, small enough that every cent
    /// up to it is a distinct IEEE double, the number RFC 8785 hashes (cents up to 10^15 &lt; 2^53).
    /// </summary>
    public const decimal MaxAmount = 10_000_000_000_000m;

    public static ProblemDetails Validate(CommitFunding command, TimeProvider clock)
    {
        var checks = new Checks()
            .Pattern("funder", command.Funder, Conventions.Party(), Conventions.PartyRule, required: true)
            .OneOf("currency", command.Currency, Conventions.Currencies, required: true, describe: "an ISO 4217 currency code such as EUR, JPY or USD")
            .Text("purpose", command.Purpose)
            .NotInFuture("occurredOn", command.OccurredOn, Conventions.Today(clock));
        switch (command.Amount)
        {
            case null:
                checks.Add("amount", "is required");
                break;
            case <= 0:
                checks.Add("amount", "must be greater than 0");
                break;
            case > MaxAmount:
                checks.Add("amount", "must be at most 10000000000000 (10^13)");
                break;
            case { } amount when amount != Math.Round(amount, 2):
                checks.Add("amount", "must have at most 2 decimal places");
                break;
        }

        return checks.Result();
    }

    [WolverinePost("/agreements/{id}/funding", OperationId = "commitFunding")]

    [EndpointSummary("Commit funding (funding_committed)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, CommitFunding command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    public static Decision Decide(CommitFunding command, Agreement agreement, DateOnly today) =>
        agreement.Admit(Event(command, today));

    /// <summary>The event the command records, its defaults applied (also a correction's replacement).</summary>
    public static FundingCommitted Event(CommitFunding command, DateOnly today) =>
        new(command.Funder!, command.Amount!.Value, command.Currency!, command.Purpose, command.OccurredOn ?? today);
}
