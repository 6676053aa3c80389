using System.Collections.Frozen;
using AgreementLedger.Agreements;

namespace AgreementLedger.Ledger;

/// <summary>
/// The stored event type names and the CLR types they are read back as, in both directions: the map
/// Marten is configured with (<see cref="EventTypeNames.ByType"/>, the contract's names, incl.
/// <see cref="EventTypeNames.EventRetracted"/>) and its inverse, built here once for every reader
/// that deserialises stored events itself, so the two can never disagree.
/// </summary>
public static class EventCatalogue
{
    private static readonly FrozenDictionary<string, Type> TypesByName =
        EventTypeNames.ByType.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every stored type name, in ordinal order (as the contract lists them in problems).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. TypesByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The stored type name of an event.</summary>
    public static string NameOf(object data) => EventTypeNames.Of(data);

    public static bool IsKnown(string name) => TypesByName.ContainsKey(name);

    /// <summary>A retraction takes effect in recorded time: it has no occurredOn (docs/hashing.md).</summary>
    public static bool IsRetraction(string name) => name == EventTypeNames.EventRetracted;

    /// <summary>
    /// The CLR type a stored event is read as. An unknown name stops the reader: a service that
    /// folded past an event it cannot read would serve a wrong state.
    /// </summary>
    public static Type TypeOf(string name, string agreementId, long version) =>
        TypesByName.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"Event type '{name}' at version {version} of '{agreementId}' is not known to this service.");
}
