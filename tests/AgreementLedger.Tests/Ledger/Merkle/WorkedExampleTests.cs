using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Tests.Ledger.Merkle;

/// <summary>The worked example of docs/audit.md, "Transparency log", as the service computes it: the page and the code agree.</summary>
public sealed class WorkedExampleTests
{
    private static readonly MerkleTestTrees Tree =
        new(new[] { "event 1", "event 2", "event 3" }.Select(text => SHA256.HashData(Encoding.ASCII.GetBytes(text))));

    [Fact]
    public void the_leaves_root_proofs_and_signed_body_are_those_the_page_gives()
    {
        const string Leaf1 = "844a329ebe8751c7fefa6a46cac076e69401ad5b04f8ddd016d23e4a2d8e10e7";
        const string Leaf2 = "a58e5cfdb8779545e435555e821052621a96c1c68a5b9bba82a0d04e0cbb302b";
        Assert.Equal(
            ["390145b17c0eb81ab29689daccd7c7973096d862d1fc20f13c6a50a867547057", Leaf1, Leaf2],
            Tree.Leaves.Select(Convert.ToHexStringLower));
        Assert.Equal("7d1c85e2c580f8311ac22ca0d3f5294d38e6c0331b2cadbdcdff6e18cc11c16b", Convert.ToHexStringLower(Tree.Root(2)));
        Assert.Equal("1207f030e8fb13cccfb4d9acb7958cc98ee3b95fdf9dad858022b303b96a9a92", Convert.ToHexStringLower(Tree.Root(3)));
        Assert.Equal([Leaf1, Leaf2], Tree.InclusionPath(0, 3).Select(Convert.ToHexStringLower));
        Assert.Equal([Leaf2], Tree.ConsistencyProof(2, 3).Select(Convert.ToHexStringLower));
        Assert.Equal(
            "agreement-ledger/c39d4b2af73372b8\n3\nEgfwMOj7E8zPtNmst5WMyY7juV/fna2FgCKzA7lqmpI=\n",
            Encoding.UTF8.GetString(CheckpointMessages.Body("agreement-ledger/c39d4b2af73372b8", 3, Tree.Root(3))));
    }
}
