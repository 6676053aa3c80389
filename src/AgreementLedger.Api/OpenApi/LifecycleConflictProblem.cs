using AgreementLedger.Agreements;
using Microsoft.AspNetCore.Mvc;

namespace AgreementLedger.OpenApi;

/// <summary>
/// The shape of a command's 409 as the OpenAPI document declares it: a problem whose <c>lifecycle-conflict</c> adds
/// <see cref="Conflict"/> (docs/api.md "Refusals"); the other 409s of a command carry the plain members only.
/// </summary>
public sealed class LifecycleConflictProblem : ProblemDetails
{
    /// <summary>Which rule refused, in a sentence naming its subject, the field it concerns and the events it names.</summary>
    public LifecycleConflict? Conflict { get; init; }
}
