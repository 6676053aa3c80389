using Marten;

namespace AgreementLedger.Agreements;

/// <summary>
/// The agreement with its facts, folded from its events, for the rules a snapshot cannot judge
/// (<see cref="FactsUnknownException"/>): the events up to the version decided on, which no writer changes (a
/// command whose version another writer moved past loses at commit and decides again).
/// </summary>
public static class AgreementFacts
{
    /// <summary>Agreement <paramref name="id"/> after its first <paramref name="version"/> events, facts included.</summary>
    public static async Task<Agreement> LoadAsync(IQuerySession session, string id, long version, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, version, token: ct);
        var agreement = Agreement.Replay(events.Select(e => new StoredEvent(id, e.Version, e.Data, e.GetHeader(Ledger.EventEnvelope.HashHeader)?.ToString() ?? "", e.Timestamp)));
        return agreement.Version == version
            ? agreement
            : throw new InvalidOperationException($"Agreement '{id}': {agreement.Version} events stored where {version} were expected.");
    }
}
