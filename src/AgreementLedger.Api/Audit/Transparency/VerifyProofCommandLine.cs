using System.Globalization;
using System.Text.Json;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The offline <c>verify-proof</c> command around <see cref="ProofVerifier"/>: the files it reads, the
/// keys it is given, and its verdict on standard output.
/// </summary>
public static class VerifyProofCommandLine
{
    public const string Usage =
        "usage: verify-proof --proof PROOF.json --checkpoint CHECKPOINT.json --public-key KEY.pem [--public-key KEY.pem]... " +
        "[--witness-key WITNESS.pem]... [--min-cosignatures N] [--event-hash HEX]   " +
        "(PROOF from GET /audit/proofs/inclusion, CHECKPOINT from GET /audit/checkpoint?treeSize= of the same size, keys from GET /audit/public-key and each witness's GET /witness/public-key)";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>0 when the proof verifies, 1 when not (or a file is not what it should be), 2 on bad usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var arguments = OfflineArguments.Parse(args,
            ("--proof", null), ("--checkpoint", null), ("--public-key", "-p"), ("--witness-key", null), ("--min-cosignatures", null), ("--event-hash", null));
        var proofFile = arguments.Single("--proof");
        var checkpointFile = arguments.Single("--checkpoint");
        var minText = arguments.Single("--min-cosignatures");
        var eventHash = arguments.Single("--event-hash");
        var min = 0;
        if (!arguments.Usable || arguments.Positional.Count > 0 || proofFile is null || checkpointFile is null || arguments.Values("--public-key").Count == 0
            || (minText is not null && !int.TryParse(minText, NumberStyles.None, CultureInfo.InvariantCulture, out min)))
        {
            await output.WriteLineAsync(Usage);
            return 2;
        }

        var (logKeys, logKeyError) = await arguments.ReadPemKeysAsync("--public-key");
        var (witnessKeys, witnessKeyError) = await arguments.ReadPemKeysAsync("--witness-key");
        if ((logKeyError ?? witnessKeyError) is { } keyError)
        {
            await output.WriteLineAsync(keyError);
            return 2;
        }

        Checkpoint checkpoint;
        InclusionProof proof;
        try
        {
            checkpoint = JsonSerializer.Deserialize<Checkpoint>(await File.ReadAllTextAsync(checkpointFile), Json) ?? throw new JsonException("null");
            proof = JsonSerializer.Deserialize<InclusionProof>(await File.ReadAllTextAsync(proofFile), Json) ?? throw new JsonException("null");
            if (checkpoint.Origin is null || checkpoint.RootHash is null || checkpoint.KeyId is null || checkpoint.Signature is null
                || proof.LeafHash is null || proof.RootHash is null || proof.AuditPath is null)
            {
                throw new JsonException("a member is missing");
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"NOT VERIFIED: the proof or the checkpoint cannot be read ({e.GetType().Name}: {e.Message})");
            return 1;
        }

        var report = ProofVerifier.Verify(checkpoint with { Cosignatures = checkpoint.Cosignatures ?? [] }, proof, logKeys, witnessKeys, min, eventHash);
        await output.WriteLineAsync($"{(report.Verified ? "VERIFIED" : "NOT VERIFIED")}: the event at position {proof.Position} is leaf {proof.LeafIndex} " +
            $"of the tree of {checkpoint.TreeSize} leaves with root {checkpoint.RootHash} ({checkpoint.Origin}), cosigned by {report.Cosignatures} of the given witnesses");
        foreach (var failure in report.Failures)
        {
            await output.WriteLineAsync("  " + failure);
        }

        return report.Verified ? 0 : 1;
    }
}
