using System.Buffers.Text;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// A submission whose values have been checked (the 400s of docs/api.md, "Witnesses"): every member present and
/// well-formed, hashes 32 bytes of lowercase hex, and <c>oldSize</c> not beyond the checkpoint's size. What is left
/// to decide — trust, the witness's own size, the proof — needs the witness's state.
/// </summary>
public sealed record CheckedSubmission(
    CheckpointJson Checkpoint,
    string Origin,
    long TreeSize,
    byte[] RootHash,
    string KeyId,
    string Signature,
    long OldSize,
    IReadOnlyList<byte[]> Proof,
    byte[]? OfferedKey)
{
    /// <summary>The signed checkpoint body (docs/audit.md, "Witness").</summary>
    public byte[] Body => CheckpointMessages.Body(Origin, TreeSize, RootHash);

    /// <summary>The checked submission, or the errors by JSON path.</summary>
    public static (CheckedSubmission? Submission, Dictionary<string, string[]> Errors) From(WitnessSubmission body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string path, string message) => errors[path] = [message];

        var checkpoint = body.Checkpoint;
        if (checkpoint is null)
        {
            Fail("checkpoint", "is required");
        }
        else
        {
            if (checkpoint.Origin is not { } origin)
            {
                Fail("checkpoint.origin", "is required");
            }
            else if (!CheckpointMessages.IsValidOrigin(origin))
            {
                Fail("checkpoint.origin", "must be 1 to 255 characters with no control characters and no space at either end");
            }

            if (checkpoint.TreeSize is not { } size)
            {
                Fail("checkpoint.treeSize", "is required");
            }
            else if (size < 0)
            {
                Fail("checkpoint.treeSize", "must not be negative");
            }

            if (!IsHash(checkpoint.RootHash))
            {
                Fail("checkpoint.rootHash", checkpoint.RootHash is null ? "is required" : "must be 64 lowercase hex characters");
            }

            if (checkpoint.KeyId is not { } keyId || keyId.Length != 16 || !IsLowerHex(keyId))
            {
                Fail("checkpoint.keyId", checkpoint.KeyId is null ? "is required" : "must be 16 lowercase hex characters");
            }

            if (checkpoint.Signature is not { } signature || !Base64.IsValid(signature) || signature.Length == 0)
            {
                Fail("checkpoint.signature", checkpoint.Signature is null ? "is required" : "must be base64");
            }
        }

        if (body.OldSize is not { } oldSize)
        {
            Fail("oldSize", "is required");
        }
        else if (oldSize < 0)
        {
            Fail("oldSize", "must not be negative");
        }
        else if (checkpoint?.TreeSize is { } treeSize && oldSize > treeSize)
        {
            Fail("oldSize", $"is {oldSize}, beyond the checkpoint's treeSize {treeSize}: a witness never cosigns a smaller tree");
        }

        if (body.Proof is null)
        {
            Fail("proof", "is required ([] on first contact)");
        }
        else
        {
            for (var i = 0; i < body.Proof.Count; i++)
            {
                if (!IsHash(body.Proof[i]))
                {
                    Fail($"proof[{i}]", "must be 64 lowercase hex characters");
                }
            }
        }

        byte[]? offered = null;
        if (body.PublicKey is { } publicKey && !Es256.TryParsePublicKey(publicKey, out offered))
        {
            Fail("publicKey", "must be the base64 DER SubjectPublicKeyInfo of an ECDSA P-256 key");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CheckedSubmission(
            checkpoint! with { Cosignatures = null },
            checkpoint!.Origin!,
            checkpoint.TreeSize!.Value,
            Convert.FromHexString(checkpoint.RootHash!),
            checkpoint.KeyId!,
            checkpoint.Signature!,
            body.OldSize!.Value,
            [.. body.Proof!.Select(Convert.FromHexString)],
            offered), errors);
    }

    private static bool IsHash(string? hex) => MerkleHash.TryParse(hex, out _);

    private static bool IsLowerHex(string text) => text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
