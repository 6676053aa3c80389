using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AgreementLedger.Ledger;

/// <summary>The fields of one event that its hash covers, exactly as stored (docs/hashing.md).</summary>
public sealed record HashedEvent(
    string Type,
    string AgreementId,
    long Version,
    DateOnly? OccurredOn,
    string RecordedAt,
    string RecordedBy,
    JsonElement Data);

/// <summary>The per-agreement SHA-256 chain: hash = SHA-256(previousHash ‖ JCS(envelope)).</summary>
public static class EventHash
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>The canonical envelope (JCS), as text: what <see cref="Compute"/> hashes after the previous hash.</summary>
    public static string Canonical(HashedEvent e)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteCanonical(output, e);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public static string Compute(string previousHash, HashedEvent e)
    {
        // One buffer a thread, reused: hashing is on every append and, for the whole ledger, in every verify.
        var output = buffer ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        Encoding.UTF8.GetBytes(previousHash, output);
        WriteCanonical(output, e);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Sha256.Hash(output.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    /// <summary>Members written in UTF-16 code-unit order, as RFC 8785 requires.</summary>
    private static void WriteCanonical(ArrayBufferWriter<byte> output, HashedEvent e)
    {
        output.Write("{\"agreementId\":"u8);
        CanonicalJson.WriteString(output, e.AgreementId);
        output.Write(",\"data\":"u8);
        CanonicalJson.Write(output, e.Data);
        output.Write(",\"occurredOn\":"u8);
        if (e.OccurredOn is { } day)
        {
            // Digits and dashes: nothing to escape.
            Span<byte> text = stackalloc byte[12];
            text[0] = (byte)'"';
            day.TryFormat(text[1..], out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            text[written + 1] = (byte)'"';
            output.Write(text[..(written + 2)]);
        }
        else
        {
            output.Write("null"u8);
        }

        output.Write(",\"recordedAt\":"u8);
        CanonicalJson.WriteString(output, e.RecordedAt);
        output.Write(",\"recordedBy\":"u8);
        CanonicalJson.WriteString(output, e.RecordedBy);
        output.Write(",\"type\":"u8);
        CanonicalJson.WriteString(output, e.Type);
        output.Write(",\"version\":"u8);
        Encoding.UTF8.GetBytes(CanonicalNumber.Format(e.Version), output);
        output.Write("}"u8);
    }
}
