using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgreementLedger.Client;

/// <summary>
/// Checks a delivery's <c>Ledger-Signature: t=&lt;unix s&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>
/// over the raw body bytes as received, in constant time, refusing a timestamp further than
/// <c>tolerance</c> from now so that a captured delivery cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    /// <summary>Whether <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/> within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool IsValid(string secret, string? header, ReadOnlySpan<byte> body, TimeSpan tolerance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        string? timestamp = null, signature = null;
        foreach (var part in (header ?? "").Split(','))
        {
            var at = part.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }

            var (name, value) = (part[..at].Trim(), part[(at + 1)..].Trim());
            timestamp = name == "t" ? value : timestamp;
            signature = name == "v1" ? value : signature;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || signature is null
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }

        byte[] expected;
        try
        {
            expected = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        var prefix = Encoding.ASCII.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var actual = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
