using System.Buffers.Text;
using System.Text;
using AgreementLedger.Ledger;

namespace AgreementLedger.Agreements.Versions;

/// <summary>The opaque keyset cursor of the pages ordered by agreement id (the list, the portfolio): the last id shown.</summary>
public static class AgreementCursor
{
    public static string Format(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("a1|" + lastId));

    /// <summary>The last id shown by <paramref name="cursor"/> (null when none is given); one this service did not issue is a 400 in <paramref name="checks"/>.</summary>
    public static string? Read(string? cursor, Infrastructure.Checks checks)
    {
        var after = cursor is null ? null : Parse(cursor);
        if (cursor is not null && after is null)
        {
            checks.Add("cursor", "is not a cursor this service issued");
        }

        return after;
    }

    /// <summary>The last id shown, or null when <paramref name="text"/> is not a cursor this service issued.</summary>
    public static string? Parse(string text)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            return decoded.StartsWith("a1|", StringComparison.Ordinal) && AgreementIds.Pattern().IsMatch(decoded[3..]) ? decoded[3..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
