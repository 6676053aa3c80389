using System.Globalization;
using System.Text.RegularExpressions;

namespace AgreementLedger.Infrastructure;

/// <summary>The instants a client sends (docs/api.md, "Dates and instants"): <c>asOf</c> and its kin.</summary>
public static partial class Instants
{
    public const string AsOfRule = "must be an ISO 8601 instant with an offset (2024-06-23T10:15:00Z, 2024-06-23T19:15:00+09:00) or a date (2024-06-23)";

    /// <summary>An <c>asOf</c> parameter: null when absent; a bad one is named in <paramref name="checks"/>.</summary>
    public static DateTimeOffset? AsOf(string? text, Checks checks)
    {
        if (text is null)
        {
            return null;
        }

        var instant = Parse(text);
        if (instant is null)
        {
            checks.Add("asOf", AsOfRule);
        }

        return instant;
    }

    /// <summary>
    /// An instant with an offset, or a bare date meaning the end of that UTC day, truncated to the
    /// microseconds PostgreSQL keeps (never rounded up); null when it is not one, or when its offset
    /// takes it before 0001-01-01T00:00:00Z. One that its offset takes past 9999-12-31 is in the
    /// future, which for a reading means now: it is answered as the latest instant there is.
    /// </summary>
    public static DateTimeOffset? Parse(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Truncate(day.ToDateTime(TimeOnly.MaxValue).Ticks);
        }

        var match = InstantWithOffset().Match(text);
        if (!match.Success
            || !DateOnly.TryParseExact(match.Groups["date"].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || !TimeOnly.TryParseExact(match.Groups["time"].Value + ":" + (match.Groups["seconds"].Success ? match.Groups["seconds"].Value : "00"),
                "HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return null;
        }

        var fraction = match.Groups["fraction"].Value;
        var ticks = date.ToDateTime(time).Ticks
            + (fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], NumberStyles.None, CultureInfo.InvariantCulture));
        if (match.Groups["sign"].Success)
        {
            var hours = int.Parse(match.Groups["hours"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            var minutes = int.Parse(match.Groups["minutes"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            if (hours > 23 || minutes > 59)
            {
                return null;
            }

            // Local time minus its offset is UTC: +09:00 is nine hours ahead of it.
            var offset = (hours * 60L + minutes) * TimeSpan.TicksPerMinute;
            ticks += match.Groups["sign"].Value == "+" ? -offset : offset;
        }

        return ticks < 0 ? null : Truncate(Math.Min(ticks, DateTime.MaxValue.Ticks));
    }

    private static DateTimeOffset Truncate(long utcTicks) =>
        new(utcTicks - utcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    [GeneratedRegex(@"^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?<time>[0-9]{2}:[0-9]{2})(?::(?<seconds>[0-9]{2})(?:\.(?<fraction>[0-9]{1,30}))?)?(?:[Zz]|(?<sign>[+-])(?<hours>[0-9]{2}):(?<minutes>[0-9]{2}))\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstantWithOffset();
}
