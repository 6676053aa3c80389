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

    public static string Canonical(HashedEvent e)
    {
        // Members written in UTF-16 code-unit order, as RFC 8785 requires.
        var builder = new StringBuilder();
        builder.Append("{\"agreementId\":");
        CanonicalJson.WriteString(builder, e.AgreementId);
        builder.Append(",\"data\":").Append(CanonicalJson.Serialize(e.Data));
        builder.Append(",\"occurredOn\":");
        if (e.OccurredOn is { } day)
        {
            CanonicalJson.WriteString(builder, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append("null");
        }

        builder.Append(",\"recordedAt\":");
        CanonicalJson.WriteString(builder, e.RecordedAt);
        builder.Append(",\"recordedBy\":");
        CanonicalJson.WriteString(builder, e.RecordedBy);
        builder.Append(",\"type\":");
        CanonicalJson.WriteString(builder, e.Type);
        builder.Append(",\"version\":").Append(CanonicalJson.FormatNumber(e.Version));
        builder.Append('}');
        return builder.ToString();
    }

    public static string Compute(string previousHash, HashedEvent e)
    {
        var bytes = Encoding.UTF8.GetBytes(previousHash + Canonical(e));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
