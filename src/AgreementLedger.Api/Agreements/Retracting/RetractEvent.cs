using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using AgreementLedger.Agreements.GettingDetails;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Agreements.Retracting;

/// <summary>
/// Retract the event at <c>version</c>. The C# member is not called Version: Wolverine reads any
/// member of that name as the stream's expected version (STACK.md), which this is not.
/// </summary>
[CommandBody]
public sealed record RetractEvent([property: JsonPropertyName("version"), Required] long? EventVersion, [property: Required] string? Reason);

public static class RetractEventEndpoint
{
    public static ProblemDetails Validate(RetractEvent command) => new Checks()
        .Required("version", command.EventVersion)
        .Text("reason", command.Reason, required: true)
        .Result();

    [WolverinePost("/agreements/{id}/retractions", OperationId = "retractEvent")]

    [EndpointSummary("Retract an event (event_retracted)")]
    [ProducesResponseType<AgreementDetails>(StatusCodes.Status200OK)]
    public static Task<IResult> Post(string id, RetractEvent command, [NotBody] AgreementWrite write) =>
        write.CommitAsync(agreement => Decide(command, agreement, write.Today));

    /// <summary>A retraction takes effect in recorded time: <paramref name="today"/> plays no part.</summary>
    public static Decision Decide(RetractEvent command, Agreement agreement, DateOnly today) =>
        agreement.Admit(new EventRetracted(command.EventVersion!.Value, command.Reason!));
}
