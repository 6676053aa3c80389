using System.Text.Json.Serialization;

namespace AgreementLedger.Agreements;

/// <summary>An event a refusal names: its version, type and effective date; <see cref="Recorded"/> false for the one the request would record.</summary>
public sealed record ConflictEvent(long Version, string Type, DateOnly OccurredOn, bool Recorded)
{
    public static ConflictEvent Of(LifecycleFact fact, long recordedUpTo) => new(fact.Version, fact.Type, fact.OccurredOn, fact.Version <= recordedUpTo);
}

/// <summary>
/// The <c>conflict</c> member of a 409 <c>lifecycle-conflict</c> (docs/api.md "Refusals"): which rule refused, in a
/// sentence that names its subject, the command member it concerns, the first event that would break and the recorded
/// event it conflicts with. <see cref="Detail"/> is the problem's <c>detail</c>.
/// </summary>
public sealed record LifecycleConflict(string Rule, string Message)
{
    /// <summary>The command's member the refusal concerns (<c>party</c>, <c>deliverableId</c>, <c>version</c>…), for a form to show it there.</summary>
    public string? Field { get; init; }

    /// <summary>The party code, deliverable id or version the rule is about.</summary>
    public string? Subject { get; init; }

    /// <summary>The first event that would break (the request's own, or a later one it displaces).</summary>
    public ConflictEvent? BreaksAt { get; init; }

    /// <summary>The recorded event the rule rests on: JP's earlier signature, the event that made the agreement Funded.</summary>
    public ConflictEvent? ConflictsWith { get; init; }

    /// <summary>For <c>stage-not-allowed</c> and <c>agreement-final</c>: the status where the event falls, and the ones that would allow it.</summary>
    public string? Status { get; init; }

    public IReadOnlyList<string>? AllowedStatuses { get; init; }

    [JsonIgnore]
    public string Detail { get; init; } = "";

    /// <summary>
    /// A refusal of the lifecycle: <paramref name="doing"/> ("Recording this", "Retracting event 4") would break it at
    /// <paramref name="broken"/>, whose rule rests on <paramref name="cause"/>. A break at a later event than the
    /// request's own names that event first, since it is the one that would no longer fit, and concerns
    /// <paramref name="laterField"/> (the date that placed the request before it, or the version retracted); a break at
    /// the request's own event concerns the rule's field (under <paramref name="ownPrefix"/>, for a correction's replacement).
    /// </summary>
    public static LifecycleConflict Breaking(string doing, LifecycleBreak broken, LifecycleFact? cause, long recordedUpTo, string laterField, string ownPrefix = "")
    {
        var refusal = broken.Refusal;
        var text = refusal.Text(cause, recordedUpTo);
        var later = broken.Fact.Version <= recordedUpTo;
        var message = later ? $"Event {broken.Fact.Version} ({broken.Fact.Type}) on {broken.Fact.OccurredOn:yyyy-MM-dd} would no longer fit: {text}" : text;
        return new LifecycleConflict(refusal.Rule, message)
        {
            Field = later ? laterField : refusal.Field is { } own ? ownPrefix + own : null,
            Subject = refusal.Subject,
            BreaksAt = ConflictEvent.Of(broken.Fact, recordedUpTo),
            ConflictsWith = cause is null ? null : ConflictEvent.Of(cause, recordedUpTo),
            Status = refusal.Status?.ToString(),
            AllowedStatuses = refusal.Allowed?.Select(s => s.ToString()).ToList(),
            Detail = $"{message}. {doing} would break the lifecycle at {broken.Where}.",
        };
    }

    /// <summary>
    /// The event a break conflicts with: of the facts before it in effective order, the last one that changed the part
    /// of the state its rule rests on (JP's earlier signature; the event that made the agreement Funded). Null when the
    /// rule rests on an absence ("NZ is not a party").
    /// </summary>
    public static LifecycleFact? CauseOf(IEnumerable<LifecycleFact> facts, LifecycleBreak broken)
    {
        if (broken.Refusal.RestsOn is not { } restsOn)
        {
            return null;
        }

        var (state, cause) = (LifecycleState.Empty, (LifecycleFact?)null);
        foreach (var fact in facts.Order(Lifecycle.EffectiveOrder).TakeWhile(f => Lifecycle.EffectiveOrder.Compare(f, broken.Fact) < 0))
        {
            var next = Lifecycle.Evolve(state, fact);
            // The proposal sets every part of the state; a later fact only when it changes it.
            if (!state.Proposed || !Equals(restsOn(state), restsOn(next)))
            {
                cause = fact;
            }

            state = next;
        }

        return cause;
    }

    /// <summary>A refusal that is not a break of the sequence: the event named cannot be retracted or corrected at all.</summary>
    public static LifecycleConflict Target(string rule, string reason, long version, string detail) =>
        new(rule, char.ToUpperInvariant(reason[0]) + reason[1..])
        {
            Field = "version",
            Subject = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Detail = detail,
        };
}
