using System.Security.Cryptography;
using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Tests.Ledger.Merkle;

/// <summary>
/// Every proof of every tree up to 64 leaves: built from stored perfect subtrees it equals RFC 9162's recursive
/// definition, it verifies, it reads O(log n) nodes, and one flipped byte anywhere makes it fail.
/// </summary>
public sealed class MerklePropertyTests
{
    private const int MaxSize = 64;

    private static readonly MerkleTestTrees Tree =
        new(Enumerable.Range(0, MaxSize).Select(i => SHA256.HashData(BitConverter.GetBytes(i))));

    [Fact]
    public void roots_from_stored_nodes_equal_the_recursive_definition()
    {
        for (var size = 0; size <= MaxSize; size++)
        {
            Assert.Equal(MerkleTestTrees.Mth(Tree.Leaves.Take(size).ToList()), Tree.Root(size));
        }
    }

    [Fact]
    public void every_inclusion_proof_equals_the_definition_verifies_and_fails_when_a_byte_flips()
    {
        for (var size = 1; size <= MaxSize; size++)
        {
            var root = Tree.Root(size);
            for (var leaf = 0; leaf < size; leaf++)
            {
                var leafHash = Tree.Leaves[leaf];
                var path = Tree.InclusionPath(leaf, size);
                Assert.Equal(MerkleTestTrees.Path(leaf, Tree.Leaves.Take(size).ToList()), path);
                Assert.True(MerkleProofs.VerifyInclusion(leaf, size, leafHash, path, root));

                Assert.False(MerkleProofs.VerifyInclusion(leaf, size, Flipped(leafHash, leaf % 32), path, root));
                Assert.False(MerkleProofs.VerifyInclusion(leaf, size, leafHash, path, Flipped(root, size % 32)));
                for (var i = 0; i < path.Count; i++)
                {
                    var bad = path.ToList();
                    bad[i] = Flipped(path[i], (leaf + i) % 32);
                    Assert.False(MerkleProofs.VerifyInclusion(leaf, size, leafHash, bad, root));
                }

                Assert.False(MerkleProofs.VerifyInclusion(leaf, size, leafHash, [.. path, root], root));
                if (path.Count > 0)
                {
                    Assert.False(MerkleProofs.VerifyInclusion(leaf, size, leafHash, path.Take(path.Count - 1).ToList(), root));
                }

                if (size > 1)
                {
                    Assert.False(MerkleProofs.VerifyInclusion((leaf + 1) % size, size, leafHash, path, root));
                }
            }
        }
    }

    [Fact]
    public void every_consistency_proof_equals_the_definition_verifies_and_fails_when_a_byte_flips()
    {
        for (var to = 0; to <= MaxSize; to++)
        {
            var toRoot = Tree.Root(to);
            for (var from = 0; from <= to; from++)
            {
                var fromRoot = Tree.Root(from);
                var proof = Tree.ConsistencyProof(from, to);
                Assert.Equal(MerkleTestTrees.Proof(from, Tree.Leaves.Take(to).ToList()), proof);
                Assert.True(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, proof));

                if (from == 0 || from == to)
                {
                    Assert.Empty(proof);
                    Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, [toRoot]));
                    continue;
                }

                Assert.False(MerkleProofs.VerifyConsistency(from, to, Flipped(fromRoot, from % 32), toRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, Flipped(toRoot, to % 32), proof));
                for (var i = 0; i < proof.Count; i++)
                {
                    var bad = proof.ToList();
                    bad[i] = Flipped(proof[i], (from + i) % 32);
                    Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, bad));
                }

                Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, []));
                Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, [.. proof, toRoot]));
                Assert.False(MerkleProofs.VerifyConsistency(from, to, fromRoot, toRoot, proof.Take(proof.Count - 1).ToList()));
            }
        }
    }

    [Fact]
    public void the_same_size_needs_equal_roots_and_no_tree_is_consistent_with_a_larger_one()
    {
        var root3 = Tree.Root(3);
        var root4 = Tree.Root(4);

        Assert.True(MerkleProofs.VerifyConsistency(4, 4, root4, root4, []));
        Assert.False(MerkleProofs.VerifyConsistency(4, 4, root3, root4, []));
        Assert.True(MerkleProofs.VerifyConsistency(0, 4, MerkleHash.EmptyRoot, root4, []));
        Assert.False(MerkleProofs.VerifyConsistency(4, 3, root4, root3, Tree.ConsistencyProof(3, 4)));
        Assert.False(MerkleProofs.VerifyConsistency(-1, 3, root3, root3, []));
        Assert.False(MerkleProofs.VerifyInclusion(3, 3, Tree.Leaves[3], [], root3));
        Assert.False(MerkleProofs.VerifyInclusion(-1, 3, Tree.Leaves[0], [], root3));
        Assert.False(MerkleProofs.VerifyInclusion(0, 1, [.. Tree.Leaves[0], 0], [], Tree.Leaves[0]));
    }

    [Fact]
    public void a_root_or_proof_reads_at_most_two_nodes_per_level()
    {
        for (var size = 1; size <= MaxSize; size++)
        {
            var bound = (2 * Math.Ceiling(Math.Log2(size))) + 1;
            Tree.ResetReads();
            Tree.Root(size);
            Assert.True(Tree.NodesRead <= bound, $"root of {size}: {Tree.NodesRead} reads");
            for (var leaf = 0; leaf < size; leaf++)
            {
                Assert.True(MerkleTree.NodesOf(MerkleTree.InclusionPath(leaf, size)).Count <= bound, $"path {leaf} of {size}");
            }

            for (var from = 0; from <= size; from++)
            {
                Assert.True(MerkleTree.NodesOf(MerkleTree.ConsistencyProof(from, size)).Count <= bound, $"proof {from} to {size}");
            }
        }
    }

    [Fact]
    public void an_accumulator_restarted_from_the_stored_edge_completes_the_same_nodes()
    {
        var fresh = new MerkleAccumulator();
        var completed = new List<MerkleNode>();
        foreach (var leaf in Tree.Leaves)
        {
            completed.AddRange(fresh.Append(leaf));
        }

        for (var size = 0; size < MaxSize; size++)
        {
            var edge = MerkleTree.Root(size).Nodes().Select(Tree.Node).ToList();
            var restarted = new MerkleAccumulator(size, edge);
            var appended = restarted.Append(Tree.Leaves[size]);
            var expected = completed.Where(node => node.Id.FirstLeaf + node.Id.Width - 1 == size).ToList();
            Assert.Equal(expected.Select(n => (n.Id, Convert.ToHexStringLower(n.Hash))), appended.Select(n => (n.Id, Convert.ToHexStringLower(n.Hash))));
            Assert.Equal(Tree.Root(size + 1), restarted.Root);
        }

        Assert.Equal(2 * MaxSize - 1, completed.Count);
    }

    private static byte[] Flipped(byte[] hash, int at)
    {
        var copy = (byte[])hash.Clone();
        copy[at] ^= 0x01;
        return copy;
    }
}
