using System.Collections.Frozen;

namespace AgreementLedger.Ledger;

/// <summary>
/// The stored event type names and the CLR types they are read back as, in both directions. The
/// slices that own the events give the map at composition (the kernel knows no feature's events);
/// Marten is configured from the same instance, and every reader that deserialises stored events
/// itself uses it, so the two can never disagree. The one name the kernel knows is
/// <see cref="Retraction"/>: its hashing and effective-time rules treat a retraction apart.
/// </summary>
public sealed class EventCatalogue
{
    /// <summary>The stored type of a correction: it has no occurredOn and takes effect when recorded (docs/hashing.md).</summary>
    public const string Retraction = "event_retracted";

    private readonly FrozenDictionary<Type, string> _namesByType;
    private readonly FrozenDictionary<string, Type> _typesByName;

    public EventCatalogue(IReadOnlyDictionary<Type, string> namesByType)
    {
        _namesByType = namesByType.ToFrozenDictionary();
        _typesByName = namesByType.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        if (_typesByName.Count != _namesByType.Count)
        {
            throw new ArgumentException("Two event types share one stored name.", nameof(namesByType));
        }

        Names = [.. _typesByName.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Every stored type name, in ordinal order (as the contract lists them in problems).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Every mapped type with its stored name, for configuring the event store.</summary>
    public IEnumerable<KeyValuePair<Type, string>> Mappings => _namesByType;

    /// <summary>The stored type name of an event.</summary>
    public string NameOf(object data) =>
        _namesByType.TryGetValue(data.GetType(), out var name)
            ? name
            : throw new InvalidOperationException($"{data.GetType().Name} has no stored event type name.");

    public bool IsKnown(string name) => _typesByName.ContainsKey(name);

    public static bool IsRetraction(string name) => name == Retraction;

    /// <summary>
    /// The CLR type a stored event is read as. An unknown name stops the reader: a service that
    /// folded past an event it cannot read would serve a wrong state.
    /// </summary>
    public Type TypeOf(string name, string agreementId, long version) =>
        _typesByName.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"Event type '{name}' at version {version} of '{agreementId}' is not known to this service.");
}
