using System.Net;
using System.Net.Http.Json;

namespace AgreementLedger.Client;

/// <summary>
/// A witness of the ledger's transparency log (docs/api.md, "Witnesses") over an <see cref="HttpClient"/> whose
/// <c>BaseAddress</c> is the witness: its public key, the last checkpoint it cosigned, and a submission. Refusals are
/// <see cref="LedgerProblemException"/>s (403 <see cref="ProblemCodes.UntrustedCheckpoint"/>, 409
/// <see cref="ProblemCodes.WitnessConflict"/> with its <c>treeSize</c> and <c>rootHash</c>, 422
/// <see cref="ProblemCodes.ProofFailed"/>, 400). Nothing is retried: a witness takes one submission at a time, and
/// a refusal says what it holds.
/// </summary>
public sealed class WitnessClient
{
    private readonly HttpClient _http;

    /// <summary>A client of the witness at <paramref name="http"/>'s <c>BaseAddress</c>.</summary>
    public WitnessClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the witness's URL.", nameof(http));
        }

        _http = http;
    }

    /// <summary><c>GET /witness/public-key</c>: the key its cosignatures verify with.</summary>
    public async Task<WitnessPublicKey> GetPublicKeyAsync(CancellationToken ct = default)
    {
        using var response = await _http.GetAsync("witness/public-key", ct);
        return await LedgerClient.ReadAsync<WitnessPublicKey>(response, ct);
    }

    /// <summary>
    /// <c>GET /witness/checkpoint</c>: the last checkpoint it cosigned (of the log <paramref name="origin"/>, else of
    /// any), with its cosignature; null before the first.
    /// </summary>
    public async Task<Checkpoint?> GetCheckpointAsync(string? origin = null, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync(origin is null ? "witness/checkpoint" : "witness/checkpoint?origin=" + Uri.EscapeDataString(origin), ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await LedgerClient.ReadAsync<Checkpoint>(response, ct);
    }

    /// <summary><c>POST /witness/checkpoints</c>: its cosignature of the submitted checkpoint.</summary>
    public async Task<Cosignature> SubmitAsync(WitnessSubmission submission, CancellationToken ct = default)
    {
        using var response = await _http.PostAsJsonAsync("witness/checkpoints", submission with { Checkpoint = submission.Checkpoint with { Cosignatures = [] } }, LedgerClient.Json, ct);
        return await LedgerClient.ReadAsync<Cosignature>(response, ct);
    }
}
