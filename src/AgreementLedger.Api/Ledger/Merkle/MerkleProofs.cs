namespace AgreementLedger.Ledger.Merkle;

/// <summary>
/// The client side of the transparency log: checks an inclusion proof (RFC 9162 §2.1.3.2) and a consistency proof
/// (§2.1.4.2) with nothing but hashes, so the witness, <c>verify-proof</c> and <c>verify-export</c> need no database.
/// Every malformed input (a hash that is not 32 bytes, an index outside the tree, a proof too long or too short)
/// is a plain <c>false</c>: a verifier answers whether it is convinced, it does not throw at an attacker's input.
/// </summary>
public static class MerkleProofs
{
    /// <summary>True when <paramref name="auditPath"/> proves that <paramref name="leafHash"/> is leaf
    /// <paramref name="leafIndex"/> of the tree of <paramref name="treeSize"/> leaves whose root is <paramref name="rootHash"/>.</summary>
    public static bool VerifyInclusion(
        long leafIndex,
        long treeSize,
        ReadOnlySpan<byte> leafHash,
        IReadOnlyList<byte[]> auditPath,
        ReadOnlySpan<byte> rootHash)
    {
        if (leafIndex < 0 || leafIndex >= treeSize || !IsHash(leafHash) || !IsHash(rootHash) || !AreHashes(auditPath))
        {
            return false;
        }

        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in auditPath)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && rootHash.SequenceEqual(r);
    }

    /// <summary>
    /// True when <paramref name="proof"/> shows that the tree of <paramref name="toSize"/> leaves with root
    /// <paramref name="toRoot"/> extends the tree of <paramref name="fromSize"/> leaves with root <paramref name="fromRoot"/>.
    /// For <c>fromSize = 0</c> (every tree extends the empty one) and <c>fromSize = toSize</c> (then the roots must be
    /// equal) the proof must be empty; <c>0 ≤ fromSize ≤ toSize</c> or it is false.
    /// </summary>
    public static bool VerifyConsistency(
        long fromSize,
        long toSize,
        ReadOnlySpan<byte> fromRoot,
        ReadOnlySpan<byte> toRoot,
        IReadOnlyList<byte[]> proof)
    {
        if (fromSize < 0 || fromSize > toSize || !IsHash(fromRoot) || !IsHash(toRoot) || !AreHashes(proof))
        {
            return false;
        }

        if (fromSize == 0 || fromSize == toSize)
        {
            return proof.Count == 0 && (fromSize == 0 || fromRoot.SequenceEqual(toRoot));
        }

        if (proof.Count == 0)
        {
            return false;
        }

        // §2.1.4.2 step 2: when the old tree is a perfect subtree of the new one, its root is the proof's implicit first node.
        var path = IsPowerOfTwo(fromSize) ? Prepend(fromRoot.ToArray(), proof) : proof;
        var fn = fromSize - 1;
        var sn = toSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fromRoot.SequenceEqual(fr) && toRoot.SequenceEqual(sr);
    }

    private static bool IsHash(ReadOnlySpan<byte> hash) => hash.Length == MerkleHash.Size;

    private static bool AreHashes(IReadOnlyList<byte[]> hashes)
    {
        foreach (var hash in hashes)
        {
            if (hash is null || !IsHash(hash))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPowerOfTwo(long n) => (n & (n - 1)) == 0;

    private static List<byte[]> Prepend(byte[] first, IReadOnlyList<byte[]> rest)
    {
        var list = new List<byte[]>(rest.Count + 1) { first };
        list.AddRange(rest);
        return list;
    }
}
