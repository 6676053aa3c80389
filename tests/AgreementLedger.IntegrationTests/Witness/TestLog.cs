using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;
using AgreementLedger.Witness;

namespace AgreementLedger.IntegrationTests.Witness;

/// <summary>
/// A transparency log as the service keeps one, in memory: a real RFC 9162 tree (the kernel's accumulator and
/// proof ranges) over leaves drawn from <c>seed</c>, and an ES256 key that signs its checkpoints with the contract's
/// message. Two logs with one key and origin but different seeds are a rewritten history signed with the real key.
/// </summary>
public sealed class TestLog : IDisposable
{
    private readonly Dictionary<MerkleNodeId, byte[]> _nodes = [];
    private readonly MerkleAccumulator _tree = new();
    private readonly Func<long, string> _leaf;
    private readonly bool _ownsKey;

    public TestLog(string seed, ECDsa? key = null, string origin = "agreement-ledger/test")
        : this(leaf => $"{seed}/{leaf}", key, origin)
    {
    }

    private TestLog(Func<long, string> leaf, ECDsa? key, string origin)
    {
        _leaf = leaf;
        _ownsKey = key is null;
        Key = key ?? ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Origin = origin;
    }

    /// <summary>The same log up to <paramref name="at"/> leaves and another history after, signed with the same key.</summary>
    public TestLog Fork(long at, string seed) => new(leaf => leaf < at ? _leaf(leaf) : $"{seed}/{leaf}", Key, Origin);

    public ECDsa Key { get; }

    public string Origin { get; }

    public byte[] PublicKeyDer => Key.ExportSubjectPublicKeyInfo();

    public string PublicKey => Convert.ToBase64String(PublicKeyDer);

    public string KeyId => Es256.KeyIdOf(PublicKeyDer);

    public long Size => _tree.Size;

    /// <summary>Grows the tree to <paramref name="size"/> leaves.</summary>
    public TestLog GrowTo(long size)
    {
        while (_tree.Size < size)
        {
            var eventHash = SHA256.HashData(Encoding.UTF8.GetBytes(_leaf(_tree.Size)));
            foreach (var node in _tree.Append(MerkleHash.Leaf(eventHash)))
            {
                _nodes[node.Id] = node.Hash;
            }
        }

        return this;
    }

    public byte[] Root(long size) => MerkleTree.Root(size).Hash(id => _nodes[id]);

    /// <summary>The checkpoint of the tree's first <paramref name="size"/> leaves, signed as the service signs one.</summary>
    public CheckpointJson Checkpoint(long size)
    {
        GrowTo(size);
        var root = Root(size);
        var signature = Es256.Sign(Key, CheckpointMessages.Body(Origin, size, root));
        return new CheckpointJson(Origin, size, Convert.ToHexStringLower(root), size * 2, "2026-12-01T14:00:00Z", KeyId, signature, []);
    }

    /// <summary>The consistency proof from <paramref name="fromSize"/> to <paramref name="toSize"/>, lowercase hex.</summary>
    public string[] Proof(long fromSize, long toSize)
    {
        GrowTo(toSize);
        return [.. MerkleTree.ConsistencyProof(fromSize, toSize).Select(range => Convert.ToHexStringLower(range.Hash(id => _nodes[id])))];
    }

    /// <summary>A submission of the checkpoint of <paramref name="toSize"/> to a witness holding <paramref name="fromSize"/>.</summary>
    public WitnessSubmission Submission(long fromSize, long toSize, bool withPublicKey = true) =>
        new(Checkpoint(toSize), fromSize, Proof(fromSize, toSize), withPublicKey ? PublicKey : null);

    public void Dispose()
    {
        if (_ownsKey)
        {
            Key.Dispose();
        }
    }
}
