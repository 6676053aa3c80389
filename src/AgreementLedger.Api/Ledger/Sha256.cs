using System.Security.Cryptography;

namespace AgreementLedger.Ledger;

/// <summary>
/// SHA-256 as the chain, the ledger's digest and the tree use it, up to four times an event, on every append and, for
/// the whole ledger, in every verify (docs/benchmarks.md): through OpenSSL directly where it is found
/// (<see cref="OpenSslSha256"/>), else through one platform hasher a thread, reset after each hash
/// (<see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> would set up and tear down a digest context on every call).
/// </summary>
public static class Sha256
{
    [ThreadStatic]
    private static IncrementalHash? hasher;

    /// <summary>Writes SHA-256 of <paramref name="input"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        if (OpenSslSha256.Available && OpenSslSha256.TryHash(input, destination))
        {
            return;
        }

        // Nothing awaits between the two calls, so a thread's hasher is never shared.
        var sha = hasher ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(input);
        sha.GetHashAndReset(destination);
    }

    /// <summary>SHA-256 of <paramref name="input"/>, as a new array.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        Hash(input, hash);
        return hash;
    }
}
