using System.Security.Cryptography;

namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// The hashes of RFC 9162 §2.1.1 with SHA-256. The one-byte prefixes keep a leaf from ever being taken for an
/// interior node (a second-preimage defence), which is what lets any RFC 6962/9162 verifier check our proofs.
/// </summary>
public static class MerkleHash
{
    /// <summary>Length of every hash in the tree.</summary>
    public const int Size = 32;

    private static readonly byte[] Empty = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The root of the tree of no leaves: SHA-256 of nothing (a new copy, so callers cannot change it).</summary>
    public static byte[] EmptyRoot => (byte[])Empty.Clone();

    /// <summary>
    /// Leaf hash = SHA-256(0x00 ‖ data). The ledger's leaf data is always the 32 bytes of an event's chain hash;
    /// any length is accepted so the published RFC test vectors (leaves of 0 to 16 bytes) run through this same code.
    /// </summary>
    public static byte[] Leaf(ReadOnlySpan<byte> eventHash32) => Prefixed(0x00, eventHash32, []);

    /// <summary>Interior node = SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => Prefixed(0x01, left, right);

    /// <summary>A hash as the contract's JSON gives it — exactly 64 lowercase hex digits — as its 32 bytes; false for anything else.</summary>
    public static bool TryParse(string? hex, out byte[] hash)
    {
        hash = [];
        if (hex is not { Length: 2 * Size } || hex.Any(c => c is not (>= '0' and <= '9' or >= 'a' and <= 'f')))
        {
            return false;
        }

        hash = Convert.FromHexString(hex);
        return true;
    }

    private static byte[] Prefixed(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        // On the stack for the usual sizes: a whole-ledger verify hashes two million of these per million events.
        var length = 1 + first.Length + second.Length;
        Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
        input[0] = prefix;
        first.CopyTo(input[1..]);
        second.CopyTo(input[(1 + first.Length)..]);
        return Sha256.Hash(input);
    }
}
