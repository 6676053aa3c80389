using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// The witness's state as <c>state.json</c> in its state directory (mode 0600), replaced durably on every change
/// (<see cref="DurableFile"/>). A file that cannot be read stops the witness instead of starting it empty: a
/// witness that forgot what it cosigned would cosign a rewritten history.
/// </summary>
public sealed class WitnessStateFile(string directory)
{
    public const string FileName = "state.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        PropertyNameCaseInsensitive = false,
    };

    public string Path { get; } = System.IO.Path.Combine(directory, FileName);

    /// <summary>The state written last, or <see cref="WitnessState.Empty"/> when there is none yet.</summary>
    public WitnessState Load()
    {
        DurableFile.RemoveLeftovers(directory, FileName);
        if (!File.Exists(Path))
        {
            return WitnessState.Empty;
        }

        WitnessState? state;
        try
        {
            state = JsonSerializer.Deserialize<WitnessState>(File.ReadAllBytes(Path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw Unreadable(e.Message, e);
        }

        if (state is null)
        {
            throw Unreadable("it holds null");
        }

        if (state.PinnedKey is { } pinned && !Es256.TryParsePublicKey(pinned, out _))
        {
            throw Unreadable("pinnedKey is not the base64 SubjectPublicKeyInfo of an ECDSA P-256 key");
        }

        foreach (var log in state.Logs)
        {
            if (log.Checkpoint.Origin != log.Origin || log.Checkpoint.TreeSize != log.TreeSize || log.Checkpoint.RootHash != log.RootHash)
            {
                throw Unreadable($"the log '{log.Origin}' does not match its own checkpoint");
            }
        }

        return state;
    }

    public void Save(WitnessState state) => DurableFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(state, Json));

    private WitnessRefusalException Unreadable(string why, Exception? inner = null) => new(
        $"The witness state '{Path}' cannot be read ({why}). Restore it from a backup of the state directory; " +
        "starting with no state would let this witness cosign a history other than the one it cosigned.", inner);
}
