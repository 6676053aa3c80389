using System.Security.Cryptography;
using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Tests.Ledger.Merkle;

/// <summary>
/// A perfect subtree hashed apart (as the verify hashes each batch of events on its own core) is the node of the
/// whole tree, and joining it by its root leaves the tree as appending its leaves one by one would.
/// </summary>
public sealed class MerkleSubtreeTests
{
    private static readonly List<byte[]> Leaves = [.. Enumerable.Range(0, 64).Select(i => MerkleHash.Leaf(SHA256.HashData(BitConverter.GetBytes(i))))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(32)]
    public void its_nodes_are_the_recursive_definitions_and_its_root_the_tree_of_its_leaves(int width)
    {
        var leaves = Leaves.Take(width).ToList();
        var subtree = new MerkleSubtree(leaves);

        Assert.Equal(System.Numerics.BitOperations.Log2((uint)width), subtree.Height);
        Assert.Equal(MerkleTestTrees.Mth(leaves), subtree.Root);
        for (var level = 0; level <= subtree.Height; level++)
        {
            var nodes = subtree.Level(level);
            Assert.Equal(width >> level, nodes.Count);
            for (var i = 0; i < nodes.Count; i++)
            {
                Assert.Equal(MerkleTestTrees.Mth(leaves.Skip(i << level).Take(1 << level).ToList()), nodes[i]);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(12)]
    public void a_width_that_is_not_a_power_of_two_is_refused(int width) =>
        Assert.Throws<ArgumentException>(() => new MerkleSubtree(Leaves.Take(width).ToList()));

    [Theory]
    [InlineData(4, 0)]
    [InlineData(4, 4)]
    [InlineData(4, 12)]
    [InlineData(8, 24)]
    [InlineData(16, 16)]
    [InlineData(1, 7)]
    public void joined_by_its_root_the_tree_grows_as_leaf_by_leaf_and_names_the_same_nodes_above_it(int width, int before)
    {
        var byLeaf = new MerkleAccumulator();
        var bySubtree = new MerkleAccumulator();
        foreach (var leaf in Leaves.Take(before))
        {
            byLeaf.Append(leaf);
            bySubtree.Append(leaf);
        }

        var added = Leaves.Skip(before).Take(width).ToList();
        var completed = added.SelectMany(byLeaf.Append).ToList();
        var subtree = new MerkleSubtree(added);
        var above = bySubtree.AppendSubtree(subtree.Height, subtree.Root);

        Assert.Equal(byLeaf.Size, bySubtree.Size);
        Assert.Equal(byLeaf.Root, bySubtree.Root);
        // What the leaves completed: the subtree's own nodes, then those above it, which AppendSubtree names.
        Assert.Equal(completed.Where(n => n.Id.Level > subtree.Height).Select(n => (n.Id, Convert.ToHexString(n.Hash))),
            above.Select(n => (n.Id, Convert.ToHexString(n.Hash))));
        Assert.Equal(completed.Count - above.Count, 2 * width - 1);

        // Leaves after it go on as usual.
        foreach (var leaf in Leaves.Skip(before + width).Take(5))
        {
            byLeaf.Append(leaf);
            bySubtree.Append(leaf);
        }

        Assert.Equal(byLeaf.Root, bySubtree.Root);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(8, 4)]
    [InlineData(2, 1)]
    public void a_subtree_that_does_not_start_at_a_multiple_of_its_width_is_refused(int width, int before)
    {
        var accumulator = new MerkleAccumulator();
        foreach (var leaf in Leaves.Take(before))
        {
            accumulator.Append(leaf);
        }

        var subtree = new MerkleSubtree(Leaves.Skip(before).Take(width).ToList());
        Assert.Throws<ArgumentException>(() => accumulator.AppendSubtree(subtree.Height, subtree.Root));
        Assert.Equal(before, accumulator.Size);
    }
}
