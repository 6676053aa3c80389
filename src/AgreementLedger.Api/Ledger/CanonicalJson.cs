using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AgreementLedger.Ledger;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme: members sorted by UTF-16 code units, no whitespace,
/// ECMAScript string escaping and ECMAScript number formatting of IEEE-754 doubles.
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonElement element) => Encoding.UTF8.GetString(Utf8(element, exactNumbers: false));

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
    public static string SerializeWithExactNumbers(JsonElement element) => Encoding.UTF8.GetString(Utf8(element, exactNumbers: true));

    private static byte[] Utf8(JsonElement element, bool exactNumbers)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(output, element, exactNumbers);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the canonical form of <paramref name="element"/> as UTF-8 (what is hashed), straight from the
    /// parsed document: no intermediate string, and a string or member name that needs no escaping is copied as it
    /// was read (a JSON string without a backslash holds no quote, backslash or control character, and valid UTF-8
    /// no lone surrogate: its bytes are already canonical).
    /// </summary>
    public static void Write(IBufferWriter<byte> output, JsonElement element, bool exactNumbers = false)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element, exactNumbers);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        output.Write(","u8);
                    }

                    firstItem = false;
                    Write(output, item, exactNumbers);
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                if (raw.IndexOf((byte)'\\') < 0)
                {
                    output.Write(raw);
                }
                else
                {
                    WriteString(output, element.GetString()!);
                }

                break;
            case JsonValueKind.Number:
                WriteAscii(output, exactNumbers ? ExactNumber(element.GetRawText()) : FormatNumber(element.GetDouble()));
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new ArgumentException($"Cannot canonicalize a JSON {element.ValueKind}.", nameof(element));
        }
    }

    /// <summary>Members sorted by their names' UTF-16 code units (RFC 8785, 3.2.3).</summary>
    private static void WriteObject(IBufferWriter<byte> output, JsonElement element, bool exactNumbers)
    {
        var count = element.GetPropertyCount();
        var members = ArrayPool<JsonProperty>.Shared.Rent(count);
        try
        {
            // Insertion sort: an event's objects have a handful of members, and each comparison is two span reads.
            var n = 0;
            foreach (var property in element.EnumerateObject())
            {
                var at = n++;
                while (at > 0 && Compare(members[at - 1], property) > 0)
                {
                    members[at] = members[at - 1];
                    at--;
                }

                members[at] = property;
            }

            output.Write("{"u8);
            for (var i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    output.Write(","u8);
                }

                var name = JsonMarshal.GetRawUtf8PropertyName(members[i]);
                if (name.IndexOf((byte)'\\') < 0)
                {
                    output.Write("\""u8);
                    output.Write(name);
                    output.Write("\""u8);
                }
                else
                {
                    WriteString(output, members[i].Name);
                }

                output.Write(":"u8);
                Write(output, members[i].Value, exactNumbers);
            }

            output.Write("}"u8);
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
        }
    }

    /// <summary>
    /// UTF-16 code-unit order of member names. Names of ASCII without escapes (nearly all) compare as their bytes, which
    /// is the same order; any other pair compares as .NET strings, which are UTF-16.
    /// </summary>
    private static int Compare(JsonProperty x, JsonProperty y)
    {
        var a = JsonMarshal.GetRawUtf8PropertyName(x);
        var b = JsonMarshal.GetRawUtf8PropertyName(y);
        return Ascii.IsValid(a) && Ascii.IsValid(b) && a.IndexOf((byte)'\\') < 0 && b.IndexOf((byte)'\\') < 0
            ? a.SequenceCompareTo(b)
            : string.CompareOrdinal(x.Name, y.Name);
    }

    private static readonly SearchValues<char> Plain =
        SearchValues.Create([.. Enumerable.Range(0x20, 0x7f - 0x20).Select(c => (char)c).Where(c => c is not '"' and not '\\')]);

    /// <summary>A string as RFC 8785 (ECMAScript's JSON.stringify) writes it, in UTF-8.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        if (!value.AsSpan().ContainsAnyExcept(Plain))
        {
            // Printable ASCII but quote and backslash: written as it is.
            var span = output.GetSpan(value.Length + 2);
            span[0] = (byte)'"';
            Encoding.ASCII.GetBytes(value, span[1..]);
            span[value.Length + 1] = (byte)'"';
            output.Advance(value.Length + 2);
            return;
        }

        var builder = new StringBuilder(value.Length + 2);
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
        // Encoded whole: a surrogate pair may straddle two of the builder's chunks.
        Encoding.UTF8.GetBytes(builder.ToString(), output);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        output.Advance(Encoding.ASCII.GetBytes(ascii, span));
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
