using System.Text;

namespace AgreementLedger.Ledger.Merkle;

/// <summary>The leaf of one ledger event: SHA-256(0x00 ‖ the 32 bytes whose lowercase hex is the event's <c>hash</c>).</summary>
public static class MerkleLeaf
{
    /// <summary>
    /// The leaf hash of an event whose chain hash is <paramref name="eventHash"/> (64 hex digits). A hash that is not
    /// (missing or rewritten: only ever after tampering) is taken as its UTF-8 bytes, so the tree still grows past
    /// it and the feed does not stall; the chain verification names that event.
    /// </summary>
    public static byte[] OfEvent(string? eventHash)
    {
        Span<byte> bytes = stackalloc byte[MerkleHash.Size];
        return eventHash is { Length: 2 * MerkleHash.Size }
            && Convert.FromHexString(eventHash, bytes, out _, out _) == System.Buffers.OperationStatus.Done
            ? MerkleHash.Leaf(bytes)
            : MerkleHash.Leaf(Encoding.UTF8.GetBytes(eventHash ?? ""));
    }
}
