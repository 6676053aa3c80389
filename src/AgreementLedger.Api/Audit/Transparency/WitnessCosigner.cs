using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;
using AgreementLedger.Witness;

namespace AgreementLedger.Audit.Transparency;

/// <summary>
/// The service's side of the witness protocol (docs/api.md, "Witnesses"). For a new signed checkpoint it first
/// reads every witness's checkpoint (<c>GET /witness/checkpoint</c>) and checks that the stored tree still gives
/// it — if not, the history has diverged and nothing is submitted to anyone — then submits the checkpoint to each
/// with the consistency proof from the witness's size, and keeps only the cosignatures that verify with that
/// witness's configured key. A witness that cannot be reached or refuses is a failure of this round, not a divergence.
/// </summary>
public sealed partial class WitnessCosigner(HttpClient http, IReadOnlyList<ConfiguredWitness> witnesses, ILogger<WitnessCosigner> logger)
{
    /// <summary>How long one witness may take to answer one request.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The configured witnesses, whose keys <c>GET /audit/public-key</c> also serves.</summary>
    public IReadOnlyList<ConfiguredWitness> Witnesses => witnesses;

    /// <param name="checkpoint">The new checkpoint, signed with the service's key.</param>
    /// <param name="logPublicKey">The service's public key (DER SubjectPublicKeyInfo), sent for a witness's trust on first use.</param>
    /// <param name="consistencyProof">The proof from a size to the checkpoint's (<c>MerkleTree.ConsistencyProof</c> over the stored tree).</param>
    /// <param name="rootAt">The stored tree's root at a size, or null when the stored tree is smaller.</param>
    public async Task<WitnessRound> CosignAsync(
        CheckpointJson checkpoint,
        byte[] logPublicKey,
        Func<long, long, CancellationToken, Task<IReadOnlyList<byte[]>>> consistencyProof,
        Func<long, CancellationToken, Task<byte[]?>> rootAt,
        CancellationToken cancellationToken)
    {
        var (held, failures, diverged) = await ReadAllAsync(checkpoint.Origin!, rootAt, cancellationToken);
        if (diverged is not null)
        {
            return new WitnessRound([], failures, diverged) { Witnessed = Witnessed(held) };
        }

        var cosignatures = new List<CosignatureJson>();
        var witnessed = Witnessed(held);
        foreach (var (witness, read) in held)
        {
            var (cosignature, failure, divergence) = await SubmitAsync(witness, checkpoint, read?.TreeSize ?? 0, logPublicKey, consistencyProof, rootAt, retry: true, cancellationToken);
            if (divergence is not null)
            {
                return new WitnessRound(cosignatures, failures, divergence) { Witnessed = witnessed };
            }

            if (cosignature is not null)
            {
                cosignatures.Add(cosignature);
                witnessed.Add(new WitnessedTree(WitnessedTree.SignerOf(witness.Url), checkpoint.TreeSize!.Value, checkpoint.RootHash!));
            }
            else if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        foreach (var failure in failures)
        {
            LogFailure(logger, checkpoint.TreeSize ?? 0, failure);
        }

        return new WitnessRound(cosignatures, failures, null) { Witnessed = witnessed };
    }

    /// <summary>
    /// Reads every witness's checkpoint of <paramref name="origin"/> and checks the stored tree still gives it, submitting
    /// nothing (on start and on every round, so that a history rewritten while the tree does not grow is caught too).
    /// A witness that cannot be read is skipped: only a checkpoint it cosigned can show a divergence.
    /// </summary>
    public async Task<WitnessRound> CheckAsync(string origin, Func<long, CancellationToken, Task<byte[]?>> rootAt, CancellationToken cancellationToken)
    {
        var (held, failures, diverged) = await ReadAllAsync(origin, rootAt, cancellationToken);
        return new WitnessRound([], failures, diverged) { Witnessed = Witnessed(held) };
    }

    /// <summary>The trees the witnesses read have cosigned, each as that witness's checkpoint names its signer.</summary>
    private static List<WitnessedTree> Witnessed(IEnumerable<(ConfiguredWitness Witness, CheckpointJson? Checkpoint)> held) =>
        [.. held.Where(h => h.Checkpoint is { TreeSize: > 0, RootHash: not null })
            .Select(h => new WitnessedTree(WitnessedTree.SignerOf(h.Witness.Url), h.Checkpoint!.TreeSize!.Value, h.Checkpoint.RootHash!))];

    /// <summary>
    /// Every witness's checkpoint of <paramref name="origin"/>, each held against the stored tree: the witnesses read
    /// (with the size each has cosigned, 0 before the first), those that could not be, and the first divergence.
    /// </summary>
    private async Task<(List<(ConfiguredWitness Witness, CheckpointJson? Checkpoint)> Held, List<string> Failures, Divergence? Diverged)> ReadAllAsync(
        string origin, Func<long, CancellationToken, Task<byte[]?>> rootAt, CancellationToken cancellationToken)
    {
        var held = new List<(ConfiguredWitness Witness, CheckpointJson? Checkpoint)>();
        var failures = new List<string>();
        foreach (var witness in witnesses)
        {
            var read = await ReadAsync(witness, origin, cancellationToken);
            if (read.Failure is { } failure)
            {
                failures.Add(failure);
                continue;
            }

            if (read.Checkpoint is { } cosigned && await DivergesAsync(witness, cosigned, rootAt, cancellationToken) is { } divergence)
            {
                LogDiverged(logger, witness.Url, cosigned.TreeSize ?? 0, cosigned.RootHash ?? "", divergence.Reason);
                return (held, failures, divergence);
            }

            held.Add((witness, read.Checkpoint));
        }

        return (held, failures, null);
    }

    /// <summary>Whether <paramref name="cosignature"/> is the witness's signature of the checkpoint of (origin, size, root) at its timestamp.</summary>
    public static bool Verifies(ConfiguredWitness witness, CosignatureJson cosignature, string origin, long treeSize, byte[] rootHash) =>
        cosignature.KeyId == witness.KeyId
        && CheckpointMessages.VerifyCosignature(witness.PublicKey, origin, treeSize, rootHash, cosignature.Timestamp, cosignature.Signature);

    private async Task<(CheckpointJson? Checkpoint, string? Failure)> ReadAsync(ConfiguredWitness witness, string origin, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = Timeout(cancellationToken);
            using var answer = await http.GetAsync(new Uri(witness.Url, "witness/checkpoint?origin=" + Uri.EscapeDataString(origin)), timeout.Token);
            if (answer.StatusCode == HttpStatusCode.NotFound)
            {
                return (null, null);
            }

            if (!answer.IsSuccessStatusCode)
            {
                return (null, $"{witness.Url}: GET /witness/checkpoint answered {(int)answer.StatusCode}");
            }

            var checkpoint = await answer.Content.ReadFromJsonAsync<CheckpointJson>(timeout.Token);
            return checkpoint is { Origin: { } o, TreeSize: { } size, RootHash: { } root } && o == origin && MerkleHash.TryParse(root, out var rootBytes)
                && checkpoint.Cosignatures?.Any(c => Verifies(witness, c, origin, size, rootBytes)) == true
                ? (checkpoint, null)
                : (null, $"{witness.Url}: its checkpoint of '{origin}' carries no cosignature that verifies with its configured key {witness.KeyId}");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"{witness.Url}: cannot read its checkpoint ({e.Message})");
        }
    }

    private static async Task<Divergence?> DivergesAsync(ConfiguredWitness witness, CheckpointJson cosigned, Func<long, CancellationToken, Task<byte[]?>> rootAt, CancellationToken cancellationToken)
    {
        var size = cosigned.TreeSize!.Value;
        var stored = await rootAt(size, cancellationToken);
        if (stored is null)
        {
            return new Divergence(witness.Url, cosigned, $"the witness cosigned a tree of {size} leaves, larger than the stored tree");
        }

        var storedHex = Convert.ToHexStringLower(stored);
        return storedHex == cosigned.RootHash ? null
            : new Divergence(witness.Url, cosigned, $"the witness cosigned root {cosigned.RootHash} at size {size}, the stored events give {storedHex}");
    }

    private async Task<(CosignatureJson? Cosignature, string? Failure, Divergence? Divergence)> SubmitAsync(
        ConfiguredWitness witness, CheckpointJson checkpoint, long oldSize, byte[] logPublicKey,
        Func<long, long, CancellationToken, Task<IReadOnlyList<byte[]>>> consistencyProof,
        Func<long, CancellationToken, Task<byte[]?>> rootAt, bool retry, CancellationToken cancellationToken)
    {
        var newSize = checkpoint.TreeSize!.Value;
        if (oldSize > newSize)
        {
            // Another node published a larger checkpoint that the stored tree gives: this one is simply older.
            return (null, null, null);
        }

        var proof = await consistencyProof(oldSize, newSize, cancellationToken);
        var submission = new WitnessSubmission(checkpoint with { Cosignatures = [] }, oldSize, [.. proof.Select(Convert.ToHexStringLower)], Convert.ToBase64String(logPublicKey));
        try
        {
            using var timeout = Timeout(cancellationToken);
            using var answer = await http.PostAsJsonAsync(new Uri(witness.Url, "witness/checkpoints"), submission, timeout.Token);
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                var cosignature = await answer.Content.ReadFromJsonAsync<CosignatureJson>(timeout.Token);
                return cosignature is not null && Verifies(witness, cosignature, checkpoint.Origin!, newSize, Convert.FromHexString(checkpoint.RootHash!))
                    ? (cosignature, null, null)
                    : (null, $"{witness.Url}: its cosignature does not verify with its configured key {witness.KeyId}", null);
            }

            if (answer.StatusCode == HttpStatusCode.Conflict && retry)
            {
                // Another node submitted meanwhile: the witness says what it holds now; check it and prove from there.
                using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(timeout.Token));
                if (problem.RootElement.TryGetProperty("treeSize", out var size) && size.TryGetInt64(out var held)
                    && problem.RootElement.TryGetProperty("rootHash", out var root) && root.GetString() is { } rootHash)
                {
                    var claimed = checkpoint with { TreeSize = held, RootHash = rootHash, Cosignatures = null };
                    if (await DivergesAsync(witness, claimed, rootAt, cancellationToken) is { } divergence)
                    {
                        return (null, null, divergence);
                    }

                    return await SubmitAsync(witness, checkpoint, held, logPublicKey, consistencyProof, rootAt, retry: false, cancellationToken);
                }
            }

            return (null, $"{witness.Url}: POST /witness/checkpoints answered {(int)answer.StatusCode}: {Cut(await answer.Content.ReadAsStringAsync(timeout.Token))}", null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"{witness.Url}: cannot submit the checkpoint ({e.Message})", null);
        }
    }

    private static CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        return timeout;
    }

    private static string Cut(string text) => text.Length <= 500 ? text : text[..500] + "…";

    [LoggerMessage(Level = LogLevel.Error, Message = "History diverged: witness {Witness} cosigned the checkpoint of size {TreeSize} with root {RootHash}, which the stored events no longer give ({Reason})")]
    private static partial void LogDiverged(ILogger logger, Uri witness, long treeSize, string rootHash, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint of size {TreeSize} was not cosigned by a witness: {Failure}")]
    private static partial void LogFailure(ILogger logger, long treeSize, string failure);
}
