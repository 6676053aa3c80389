using System.Text.RegularExpressions;

namespace AgreementLedger.Agreements;

/// <summary>The value formats of API.md "Conventions".</summary>
public static partial class Conventions
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,79}$", RegexOptions.CultureInvariant)]
    public static partial Regex AgreementId();

    [GeneratedRegex("^[A-Z]{2,10}$", RegexOptions.CultureInvariant)]
    public static partial Regex Party();

    [GeneratedRegex("^[a-z0-9-]{1,40}$", RegexOptions.CultureInvariant)]
    public static partial Regex Area();

    public static readonly IReadOnlySet<string> Kinds =
        new HashSet<string>(StringComparer.Ordinal) { "partnership", "treaty", "forum", "programme", "exercise", "other" };

    public const string AgreementIdRule = "must be a slug: lowercase letters, digits and '-', 2 to 80 characters, not starting with '-'";
    public const string PartyRule = "must be a party code: 2 to 10 uppercase letters (ISO 3166-1 alpha-2, or EU, NATO, ...)";
    public const string AreaRule = "must be a lowercase tag of letters, digits and '-', at most 40 characters";

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
