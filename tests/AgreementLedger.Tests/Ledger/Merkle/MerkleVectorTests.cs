using AgreementLedger.Ledger.Merkle;

namespace AgreementLedger.Tests.Ledger.Merkle;

/// <summary>
/// The published RFC 6962 test vectors for trees of 1 to 8 leaves: the leaves, roots, audit paths and consistency
/// proofs of Google's certificate-transparency merkle tree tests, as kept today in github.com/transparency-dev/merkle,
/// file proof/verify_test.go (variables <c>leaves</c>, <c>roots</c>, <c>inclusionProofs</c>, <c>consistencyProofs</c>;
/// there the leaf of an inclusion vector is counted from 1, here <c>leafIndex</c> from 0).
/// </summary>
public sealed class MerkleVectorTests
{
    private static readonly string[] LeafData =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        { 0, 1, [] },
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    private static MerkleTestTrees Tree() => new(LeafData.Select(Convert.FromHexString));

    [Fact]
    public void the_empty_root_is_sha256_of_nothing()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(MerkleHash.EmptyRoot));
        Assert.Equal(Hex(MerkleHash.EmptyRoot), Hex(Tree().Root(0)));
    }

    [Fact]
    public void roots_of_trees_of_1_to_8_leaves_are_the_published_ones()
    {
        var tree = Tree();
        for (var size = 1; size <= 8; size++)
        {
            Assert.Equal(Roots[size - 1], Hex(tree.Root(size)));
            Assert.Equal(Roots[size - 1], Hex(MerkleTestTrees.Mth(tree.Leaves.Take(size).ToList())));
        }
    }

    [Fact]
    public void the_accumulator_root_after_each_leaf_is_the_published_one()
    {
        var accumulator = new MerkleAccumulator();
        for (var size = 1; size <= 8; size++)
        {
            accumulator.Append(MerkleHash.Leaf(Convert.FromHexString(LeafData[size - 1])));
            Assert.Equal(Roots[size - 1], Hex(accumulator.Root));
        }
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void audit_paths_are_the_published_ones_and_verify(long leafIndex, long treeSize, string[] expected)
    {
        var tree = Tree();
        var path = tree.InclusionPath(leafIndex, treeSize);

        Assert.Equal(expected, path.Select(Hex));
        Assert.True(MerkleProofs.VerifyInclusion(
            leafIndex, treeSize, tree.Leaves[(int)leafIndex], expected.Select(Convert.FromHexString).ToList(), Convert.FromHexString(Roots[treeSize - 1])));
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void consistency_proofs_are_the_published_ones_and_verify(long fromSize, long toSize, string[] expected)
    {
        var proof = Tree().ConsistencyProof(fromSize, toSize);

        Assert.Equal(expected, proof.Select(Hex));
        Assert.True(MerkleProofs.VerifyConsistency(
            fromSize,
            toSize,
            Convert.FromHexString(Roots[fromSize - 1]),
            Convert.FromHexString(Roots[toSize - 1]),
            expected.Select(Convert.FromHexString).ToList()));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
