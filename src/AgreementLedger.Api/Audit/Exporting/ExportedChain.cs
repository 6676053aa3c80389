using System.Text;
using System.Text.Json;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// The exported events, folded in the order <see cref="ExportVerifier"/> reads them: each checked against the events
/// before it (positions increasing; leaf indexes consecutive from 0 in position order, or absent throughout; each
/// agreement's versions and hash chain; its hash recomputed from its fields), while the ledger digest and the Merkle
/// tree of what the file says the hashes are grow with them. The verifier checks the file around the events (which
/// record may follow which, the kept and closing digests, the signatures and the checkpoint) against what this folds.
/// </summary>
public sealed class ExportedChain(Action<string> fail)
{
    private readonly Dictionary<string, (long Version, string Hash)> _tips = new(StringComparer.Ordinal);
    private bool? _withLeafIndex;

    /// <summary>The events folded so far.</summary>
    public long Events { get; private set; }

    /// <summary>The distinct agreements among them.</summary>
    public int Agreements => _tips.Count;

    /// <summary>The position of the last event folded (0 before the first).</summary>
    public long LastPosition { get; private set; }

    /// <summary>The ledger digest over the events folded (<see cref="EventHash.Genesis"/> before the first).</summary>
    public string Digest { get; private set; } = EventHash.Genesis;

    /// <summary>The Merkle tree of the events folded, one leaf each in position order.</summary>
    public MerkleAccumulator Tree { get; } = new();

    /// <summary>Checks <paramref name="e"/> against the events before it, saying each failure, and folds it in.</summary>
    public void Add(ExportedEvent e)
    {
        Events++;
        if (e.Position <= LastPosition)
        {
            fail($"position {e.Position}: not after position {LastPosition}");
        }

        LastPosition = e.Position;
        _withLeafIndex ??= e.LeafIndex is not null;
        if (_withLeafIndex != (e.LeafIndex is not null))
        {
            fail($"position {e.Position}: {(e.LeafIndex is null ? "no leafIndex, though the events before it have one" : "a leafIndex, though the events before it have none")}");
        }
        else if (e.LeafIndex is { } leaf && leaf != Events - 1)
        {
            fail($"position {e.Position}: leafIndex {leaf}, but it is event {Events - 1} (from 0) in position order");
        }

        var (tipVersion, tipHash) = _tips.TryGetValue(e.AgreementId, out var tip) ? tip : (0L, EventHash.Genesis);
        if (e.Version != tipVersion + 1)
        {
            fail($"{e.AgreementId} version {e.Version}: expected version {tipVersion + 1}");
        }

        if (e.PreviousHash != tipHash)
        {
            fail($"{e.AgreementId} version {e.Version}: previousHash does not match the hash of the event before it");
        }

        using var data = JsonDocument.Parse(e.Data);
        var recomputed = EventHash.Compute(e.PreviousHash, new HashedEvent(e.Type, e.AgreementId, e.Version, EventEnvelope.OccurredOnOf(e.Type, data.RootElement), e.RecordedAt, e.RecordedBy, data.RootElement));
        if (recomputed != e.Hash)
        {
            fail($"{e.AgreementId} version {e.Version}: the hash does not match the event's fields");
        }

        _tips[e.AgreementId] = (e.Version, e.Hash);
        Digest = LedgerDigests.Step(Digest, e.Hash);
        // The leaf of what the file says the hash is (a malformed one was reported above and still changes the root).
        Tree.Append(MerkleHash.Leaf(MerkleHash.TryParse(e.Hash, out var eventHash) ? eventHash : Encoding.UTF8.GetBytes(e.Hash)));
    }
}
