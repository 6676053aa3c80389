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
    /// was read (<see cref="TryWriteAsRead"/>).
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
                // The raw value holds its quotes.
                if (!TryWriteAsRead(output, JsonMarshal.GetRawUtf8Value(element)[1..^1]))
                {
                    WriteString(output, element.GetString()!);
                }

                break;
            case JsonValueKind.Number:
                Encoding.UTF8.GetBytes(exactNumbers ? CanonicalNumber.Exact(element.GetRawText()) : CanonicalNumber.Format(element.GetDouble()), output);
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

                if (!TryWriteAsRead(output, JsonMarshal.GetRawUtf8PropertyName(members[i])))
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
    /// A string or member name of the parsed document, from its raw UTF-8 (without quotes), copied as read when it
    /// holds no escape: it then holds no quote, backslash or control character, and valid UTF-8 no lone surrogate,
    /// so its bytes are already canonical. False, writing nothing, when it holds one: the caller writes its value
    /// afresh with <see cref="WriteString"/>.
    /// </summary>
    private static bool TryWriteAsRead(IBufferWriter<byte> output, ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            return false;
        }

        output.Write("\""u8);
        output.Write(raw);
        output.Write("\""u8);
        return true;
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
}
