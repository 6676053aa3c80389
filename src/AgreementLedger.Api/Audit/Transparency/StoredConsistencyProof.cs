using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// A consistency proof folded from the stored tree (O(log n) nodes, one query): what
/// <c>GET /audit/proofs/consistency</c> answers and what the export's <c>consistency</c> record carries, built once.
/// </summary>
public static class StoredConsistencyProof
{
    /// <summary>The proof that the tree of <paramref name="to"/> leaves extends the tree of <paramref name="from"/>; the caller checks <c>0 ≤ from ≤ to ≤</c> the tree's size.</summary>
    public static async Task<ConsistencyProof> ReadAsync(MerkleStore tree, long from, long to, CancellationToken ct)
    {
        var proof = MerkleTree.ConsistencyProof(from, to);
        var (fromRoot, toRoot) = (MerkleTree.Root(from), MerkleTree.Root(to));
        var read = await tree.ReadAsync([.. proof, fromRoot, toRoot], [], null, null, ct);
        return new ConsistencyProof(
            from, to, CheckpointLog.Hex(read.Hash(fromRoot)), CheckpointLog.Hex(read.Hash(toRoot)), [.. proof.Select(range => CheckpointLog.Hex(read.Hash(range)))]);
    }
}
