using System.Text.RegularExpressions;

namespace AgreementLedger.Agreements;

/// <summary>The value formats of docs/api.md "Conventions".</summary>
public static partial class Conventions
{
    [GeneratedRegex(@"^[A-Z]{2,10}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Party();

    [GeneratedRegex(@"^[a-z0-9-]{1,40}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Area();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}\z", RegexOptions.CultureInvariant)]
    public static partial Regex DeliverableId();

    /// <summary>Active ISO 4217 currency codes.</summary>
    public static readonly IReadOnlySet<string> Currencies = new HashSet<string>(StringComparer.Ordinal)
    {
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
        "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
        "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
        "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
        "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
        "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
        "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
        "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
        "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
        "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
    };

    public static readonly IReadOnlySet<string> Kinds =
        new HashSet<string>(StringComparer.Ordinal) { "partnership", "treaty", "forum", "programme", "exercise", "other" };

    public const string PartyRule = "must be a party code: 2 to 10 uppercase letters (ISO 3166-1 alpha-2, or EU, NATO, ...)";
    public const string AreaRule = "must be a lowercase tag of letters, digits and '-', at most 40 characters";

    /// <summary>Checks one source reference (a proposal's or a citation's) field by field.</summary>
    public static void CheckSource(Infrastructure.Checks checks, string at, string? publisher, string? url, DateOnly? publishedOn, string? note, DateOnly today)
    {
        var prefix = at.Length == 0 ? "" : at + ".";
        checks.Text(prefix + "publisher", publisher, required: true, max: 300)
            .Text(prefix + "url", url, max: 2_000)
            .Text(prefix + "note", note)
            .NotInFuture(prefix + "publishedOn", publishedOn, today);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            checks.Add(prefix + "url", "must be an absolute http or https URL");
        }
    }

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
