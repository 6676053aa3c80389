using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgreementLedger.Ledger;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units, no whitespace,
/// ECMAScript string escaping and ECMAScript number formatting of IEEE-754 doubles.
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element, exactNumbers: false);
        return builder.ToString();
    }

    public static string Serialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Serialize(document.RootElement);
    }

    /// <summary>
    /// The canonical form with every number written as its exact decimal value instead of the
    /// nearest double: for fingerprints, where two numbers that differ (10.005 and 10.00500000000000001,
    /// or two amounts a cent apart beyond 2^53 cents) must never compare alike, while 1, 1.0 and 10e-1 do.
    /// </summary>
    public static string SerializeWithExactNumbers(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SerializeWithExactNumbers(document.RootElement);
    }

    /// <inheritdoc cref="SerializeWithExactNumbers(string)"/>
    public static string SerializeWithExactNumbers(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element, exactNumbers: true);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, JsonElement element, bool exactNumbers)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    WriteString(builder, property.Name);
                    builder.Append(':');
                    Write(builder, property.Value, exactNumbers);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        builder.Append(',');
                    }

                    firstItem = false;
                    Write(builder, item, exactNumbers);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.Number:
                builder.Append(exactNumbers ? ExactNumber(element.GetRawText()) : FormatNumber(element.GetDouble()));
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Null:
                builder.Append("null");
                break;
            default:
                throw new ArgumentException($"Cannot canonicalize a JSON {element.ValueKind}.", nameof(element));
        }
    }

    internal static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (c < 0x20 || char.IsSurrogate(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>
    /// A JSON number literal as <c>[-]digits e exponent</c> with no leading or trailing zero digit
    /// (zero is <c>0</c>): one spelling per decimal value, of any size or precision.
    /// </summary>
    internal static string ExactNumber(string literal)
    {
        var negative = literal.StartsWith('-');
        var body = negative ? literal[1..] : literal;
        var e = body.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? body : body[..e];
        var exponent = e < 0 ? System.Numerics.BigInteger.Zero : System.Numerics.BigInteger.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        var digits = (point < 0 ? mantissa : mantissa[..point]) + fraction;
        exponent -= fraction.Length;
        digits = digits.TrimStart('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var trimmed = digits.TrimEnd('0');
        exponent += digits.Length - trimmed.Length;
        return (negative ? "-" : "") + trimmed + "e" + exponent.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>ECMAScript Number.prototype.toString for finite doubles.</summary>
    public static string FormatNumber(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "JSON numbers are finite.");
        }

        if (value == 0)
        {
            return "0";
        }

        var negative = value < 0;
        // "E16" is not shortest; "R" is the shortest round-trip form, from which digits and exponent are read.
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var exponentAt = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt >= 0 ? roundTrip[..exponentAt] : roundTrip;
        var exponent = exponentAt >= 0 ? int.Parse(roundTrip[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = point >= 0 ? mantissa[..point] : mantissa;
        var fraction = point >= 0 ? mantissa[(point + 1)..] : "";
        var digits = (integerPart + fraction).TrimStart('0');
        var leadingZeros = (integerPart + fraction).Length - digits.Length;
        // value = 0.digits × 10^n
        var n = integerPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var result = new StringBuilder();
        if (negative)
        {
            result.Append('-');
        }

        if (k <= n && n <= 21)
        {
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            result.Append(digits[0]);
            if (k > 1)
            {
                result.Append('.').Append(digits, 1, k - 1);
            }

            var e = n - 1;
            result.Append('e').Append(e >= 0 ? "+" : "-").Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }
}
