using System.Globalization;

namespace AgreementLedger.Infrastructure;

/// <summary>The If-Match precondition of a command: absent, <c>*</c>, or one quoted version.</summary>
public readonly record struct IfMatch(bool Present, bool Any, long Version, string Raw)
{
    public static IfMatch None { get; } = new(false, false, 0, "");

    /// <summary>Parses the header; null when it is present but not a quoted version or <c>*</c>.</summary>
    public static IfMatch? Parse(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0)
        {
            return None;
        }

        var raw = string.Join(",", values.ToArray()).Trim();
        if (raw == "*")
        {
            return new IfMatch(true, true, 0, raw);
        }

        // A list of entity tags matches when any one does; weak tags never match for If-Match.
        var versions = new List<long>();
        foreach (var part in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length < 3 || part[0] != '"' || part[^1] != '"'
                || !long.TryParse(part.AsSpan(1, part.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                return null;
            }

            versions.Add(version);
        }

        return versions.Count == 1 ? new IfMatch(true, false, versions[0], raw) : null;
    }

    /// <summary>Whether the precondition holds for an agreement at <paramref name="current"/> (0: none exists).</summary>
    public bool Matches(long current) => !Present || (Any ? current > 0 : Version == current);

    public static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
