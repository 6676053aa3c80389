using System.Globalization;
using System.Text;

namespace AgreementLedger.Ledger.Signing;

/// <summary>
/// The exact bytes a checkpoint's signature and a witness's cosignature cover (docs/audit.md, "Witness"): the
/// checkpoint body of C2SP tlog-checkpoint with no extension lines, and the cosigned message of C2SP
/// tlog-cosignature/v1 over it. One place builds them, so that the service, the witness and the offline
/// verifiers cannot disagree by a byte.
/// </summary>
public static class CheckpointMessages
{
    public const string CosignatureHeader = "cosignature/v1";

    /// <summary><c>&lt;origin&gt;\n&lt;treeSize in decimal&gt;\n&lt;base64 of the 32-byte root&gt;\n</c>, UTF-8.</summary>
    public static byte[] Body(string origin, long treeSize, ReadOnlySpan<byte> rootHash) =>
        Encoding.UTF8.GetBytes($"{origin}\n{treeSize.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(rootHash)}\n");

    /// <summary><c>cosignature/v1\ntime &lt;unix seconds&gt;\n</c> followed by the checkpoint body.</summary>
    public static byte[] Cosigned(long unixSeconds, ReadOnlySpan<byte> body)
    {
        var header = Encoding.UTF8.GetBytes($"{CosignatureHeader}\ntime {unixSeconds.ToString(CultureInfo.InvariantCulture)}\n");
        return [.. header, .. body];
    }

    /// <summary>RFC 3339 UTC to the second: how the JSON gives every checkpoint's and cosignature's time.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether <paramref name="signature"/> is the witness key's cosignature, at <paramref name="timestamp"/>, of the
    /// checkpoint (origin, size, root): the one check the service, the offline verifiers and the tests make of a
    /// cosignature. A timestamp not in <see cref="TimestampFormat"/> is false, as is any malformed input.
    /// </summary>
    public static bool VerifyCosignature(byte[] witnessKey, string origin, long treeSize, ReadOnlySpan<byte> rootHash, string? timestamp, string? signature) =>
        signature is not null
        && DateTimeOffset.TryParseExact(timestamp, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
        && Es256.Verify(witnessKey, Cosigned(at.ToUnixTimeSeconds(), Body(origin, treeSize, rootHash)), signature);

    /// <summary>Whether an origin can be a checkpoint's first line: not empty, at most 255 characters, no control characters (a newline would forge the lines after it).</summary>
    public static bool IsValidOrigin(string origin) =>
        origin.Length is > 0 and <= 255 && !origin.Any(char.IsControl) && origin.Trim().Length == origin.Length;
}
