using System.Text.RegularExpressions;

namespace AgreementLedger.Ledger;

/// <summary>An agreement's id, which is its stream's key (docs/api.md, "Identifiers"): checked wherever one comes in.</summary>
public static partial class AgreementIds
{
    public const string Rule = "must be a slug: lowercase letters, digits and '-', 2 to 80 characters, not starting with '-'";

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,79}\z", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();
}
