using System.Text.Json;
using AgreementLedger.Ledger;

namespace AgreementLedger.Audit.Verifying;

/// <summary>
/// Recomputes every agreement's hash chain (docs/hashing.md) from its stored events, given in position order — the
/// order they were appended in, so each agreement's versions come in order too, and one state an agreement (its last
/// version and hash) is all that is held. Then holds each agreement's last stored version against the version the
/// ledger records for it.
/// </summary>
internal sealed class ChainCheck(Action<string, long, string> fail)
{
    private readonly Dictionary<string, (long Version, string Hash)> _last = new(StringComparer.Ordinal);

    public long Streams => _last.Count;

    public long Events { get; private set; }

    /// <summary>The next event in position order, with its hash recomputed ahead (<see cref="Recompute"/>) unless it has no stored previousHash.</summary>
    public void Observe(StoredEventRow row, string? recomputed)
    {
        var (id, version) = (row.AgreementId, row.Version);
        var (lastVersion, lastHash) = _last.TryGetValue(id, out var last) ? last : (0, EventHash.Genesis);
        Events++;
        if (version != lastVersion + 1)
        {
            fail(id, lastVersion + 1, version > lastVersion + 1
                ? $"versions {lastVersion + 1} to {version - 1} are missing: events were removed"
                : $"version {version} appears again: an event was inserted or reordered");
        }

        if (row.PreviousHash != lastHash)
        {
            fail(id, version, "previousHash does not match the hash of the event before it: events were removed, inserted or reordered");
        }

        recomputed ??= Recompute(row, row.PreviousHash ?? lastHash);
        if (row.Hash != recomputed)
        {
            fail(id, version, "the stored hash does not match the event's stored fields: the event was altered");
        }

        _last[id] = (version, row.Hash ?? recomputed);
    }

    /// <summary>The event's hash from its stored fields, chained to <paramref name="previousHash"/> (one event alone: any thread).</summary>
    public static string Recompute(StoredEventRow row, string previousHash)
    {
        using var data = JsonDocument.Parse(row.Data);
        return EventHash.Compute(previousHash, new HashedEvent(
            row.Type, row.AgreementId, row.Version, row.OccurredOn, EventEnvelope.FormatInstant(row.RecordedAt), row.RecordedBy, data.RootElement));
    }

    /// <summary>Each agreement's newest stored version against <paramref name="recorded"/> (the versions the ledger records).</summary>
    public void Finish(IReadOnlyDictionary<string, long> recorded)
    {
        foreach (var (id, (lastVersion, _)) in _last)
        {
            if (!recorded.TryGetValue(id, out var expected))
            {
                fail(id, 1, "events are stored for an agreement the ledger does not record: they were inserted");
            }
            else if (expected > lastVersion)
            {
                fail(id, lastVersion + 1, $"the agreement records {expected} events but only {lastVersion} are stored: the newest events were removed");
            }
            else if (expected < lastVersion)
            {
                fail(id, expected + 1, $"the agreement records {expected} events but {lastVersion} are stored: events were inserted");
            }
        }

        foreach (var (id, version) in recorded)
        {
            if (version > 0 && !_last.ContainsKey(id))
            {
                fail(id, 1, $"the agreement records {version} events but none are stored: its events were removed");
            }
        }
    }
}
