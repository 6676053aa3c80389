using AgreementLedger.Ledger;

namespace AgreementLedger.Tests.Ledger;

public sealed class CanonicalJsonTests
{
    // Number vectors from RFC 8785 appendix B and ECMAScript Number.prototype.toString.
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.5, "-1.5")]
    [InlineData(4.5, "4.5")]
    [InlineData(0.002, "0.002")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(123456789012345680000.0, "123456789012345680000")]
    [InlineData(9007199254740991.0, "9007199254740991")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(333333333.3333333, "333333333.3333333")]
    [InlineData(1000000.5, "1000000.5")]
    [InlineData(-42.0, "-42")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(-9007199254740992.0, "-9007199254740992")]
    [InlineData(9007199254740994.0, "9007199254740994")]
    [InlineData(4.35e17, "435000000000000000")]
    public void formats_numbers_as_ecmascript_does(double value, string expected) =>
        Assert.Equal(expected, CanonicalNumber.Format(value));

    [Fact]
    public void formats_negative_zero_as_zero() => Assert.Equal("0", CanonicalNumber.Format(-0.0));

    [Fact]
    public void sorts_members_by_utf16_code_units_and_drops_whitespace()
    {
        // RFC 8785 section 3.2.3's sorting example.
        const string input = """{ "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" }""";

        var keys = System.Text.Json.JsonDocument.Parse(CanonicalJson.Serialize(input)).RootElement.EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"], keys);
    }

    [Fact]
    public void sorts_and_writes_unescaped_names_and_strings_as_their_escaped_spellings()
    {
        // The same members as above, read as raw UTF-8 (as PostgreSQL's jsonb gives them back) instead of \u escapes.
        const string raw = "{ \"€\": \"東京\", \"\\r\": \"x\", \"דּ\": \"y\", \"1\": \"One\", \"😀\": \"z\", \"\u0080\": \"w\", \"ö\": \"v\" }";
        const string escaped = """{ "\u20ac": "\u6771\u4eac", "\r": "x", "\ufb33": "y", "1": "One", "\ud83d\ude00": "z", "\u0080": "w", "\u00f6": "v" }""";

        Assert.Equal(CanonicalJson.Serialize(escaped), CanonicalJson.Serialize(raw));
        Assert.Equal("{\"\\r\":\"x\",\"1\":\"One\",\"\u0080\":\"w\",\"ö\":\"v\",\"€\":\"東京\",\"😀\":\"z\",\"דּ\":\"y\"}", CanonicalJson.Serialize(raw));
    }

    [Fact]
    public void keeps_a_surrogate_pair_whole_after_escapes()
    {
        // Backslash, tab, U+1D11E: the escapes grow the text so that the pair straddles the end of its first buffer.
        var value = "\\\t\ud834\udd1e";

        var canonical = CanonicalJson.Serialize(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["k"] = value }));

        Assert.Equal("{\"k\":\"\\\\\\t\ud834\udd1e\"}", canonical);
    }

    [Fact]
    public void escapes_strings_as_rfc_8785_does()
    {
        const string input = """{"s":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","n":[56,{"d":true,"10":null,"1":[]}]}""";

        Assert.Equal("""{"n":[56,{"1":[],"10":null,"d":true}],"s":"€$\u000f\nA'B\"\\\\\"/"}""", CanonicalJson.Serialize(input));
    }

    [Fact]
    public void normalises_number_spellings()
    {
        Assert.Equal("""{"a":100,"b":1.5,"c":-0.001}""", CanonicalJson.Serialize("""{"c":-1.0E-3,"b":1.50,"a":1e2}"""));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0.00", "0")]
    [InlineData("5", "5e0")]
    [InlineData("5.00", "5e0")]
    [InlineData("0.5e1", "5e0")]
    [InlineData("500", "5e2")]
    [InlineData("-12.340E+2", "-1234e0")]
    [InlineData("10.01", "1001e-2")]
    [InlineData("10.010000000000000001", "10010000000000000001e-18")]
    [InlineData("70000000000000.01", "7000000000000001e-2")]
    [InlineData("1e400", "1e400")]
    [InlineData("0.000e-99999999999999999999", "0")]
    public void exact_numbers_spell_each_decimal_value_once(string literal, string expected) =>
        Assert.Equal(expected, CanonicalNumber.Exact(literal));

    [Fact]
    public void exact_numbers_tell_apart_what_doubles_cannot()
    {
        Assert.Equal(CanonicalJson.Serialize("""{"a":7000000000000000.01}"""), CanonicalJson.Serialize("""{"a":7000000000000000.02}"""));
        Assert.NotEqual(
            CanonicalJson.SerializeWithExactNumbers("""{"a":7000000000000000.01}"""),
            CanonicalJson.SerializeWithExactNumbers("""{"a":7000000000000000.02}"""));
        Assert.Equal(CanonicalJson.SerializeWithExactNumbers("""{"b":[1.0],"a":"x"}"""), CanonicalJson.SerializeWithExactNumbers("""{"a":"x","b":[1]}"""));
    }
}
