using System.Globalization;
using System.Text.RegularExpressions;
using AgreementLedger.Infrastructure;
using Marten;

namespace AgreementLedger.Agreements;

/// <summary>
/// Which knowledge a query reads (docs/api.md "Time travel"): as known at an instant (<c>asOf</c>), or
/// after a version (<c>version</c>); and optionally as in effect in the world on a date
/// (<c>effectiveOn</c>). Recorded time and effective time stay apart.
/// </summary>
public sealed partial record PointInTime(DateTimeOffset? AsOf, long? Version, DateOnly? EffectiveOn)
{
    public bool IsNow => AsOf is null && Version is null && EffectiveOn is null;

    /// <summary>The date targets are judged against: effectiveOn, else the date of asOf, else today.</summary>
    /// <remarks>An asOf after now means now: its date is never later than today.</remarks>
    public DateOnly ReferenceDate(DateOnly today) =>
        EffectiveOn ?? (AsOf is { } asOf && DateOnly.FromDateTime(asOf.UtcDateTime) < today ? DateOnly.FromDateTime(asOf.UtcDateTime) : today);

    /// <summary>Parses the query parameters; field errors go to <paramref name="checks"/>.</summary>
    public static PointInTime Parse(string? asOf, string? version, string? effectiveOn, Checks checks)
    {
        DateTimeOffset? knownAt = null;
        if (asOf is not null)
        {
            knownAt = ParseInstant(asOf);
            if (knownAt is null)
            {
                checks.Add("asOf", "must be an ISO 8601 instant with an offset (2024-06-23T10:15:00Z, 2024-06-23T19:15:00+09:00) or a date (2024-06-23)");
            }
        }

        long? after = null;
        if (version is not null)
        {
            if (!long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                checks.Add("version", "must be a whole number");
            }
            else
            {
                after = parsed;
            }

            if (asOf is not null)
            {
                checks.Add("version", "cannot be combined with asOf");
            }
        }

        DateOnly? inEffect = null;
        if (effectiveOn is not null)
        {
            if (DateOnly.TryParseExact(effectiveOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                inEffect = day;
            }
            else
            {
                checks.Add("effectiveOn", "must be a date in the form YYYY-MM-DD");
            }
        }

        return new PointInTime(knownAt, after, inEffect);
    }

    /// <summary>
    /// An instant with an offset, or a bare date meaning the end of that UTC day, truncated to the
    /// microseconds PostgreSQL keeps (never rounded up); null when it is not one, or when its offset
    /// takes it before 0001-01-01T00:00:00Z. One that its offset takes past 9999-12-31 is in the
    /// future, which for a reading means now: it is answered as the latest instant there is.
    /// </summary>
    public static DateTimeOffset? ParseInstant(string text)
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

    /// <summary>The agreement's events known at this point, in version order (empty when none were).</summary>
    public async Task<IReadOnlyList<StoredEvent>> KnownEventsAsync(StoredEvents events, string id, CancellationToken ct) =>
        Version is 0 ? [] : await events.ReadAsync(id, AsOf, Version, ct);

    /// <summary>The agreement as it was at this point, or null when it did not exist yet.</summary>
    public Agreement? Fold(IReadOnlyList<StoredEvent> known)
    {
        if (known.Count == 0 || known[0].Data is not AgreementProposed proposed || EffectiveOn < proposed.OccurredOn)
        {
            return null;
        }

        return Agreement.Replay(known, EffectiveOn);
    }

    /// <summary>Agreements folded per read by <see cref="PortfolioAsync"/>: bounds its memory, whatever the ledger's size.</summary>
    public const int PortfolioChunk = 200;

    /// <summary>
    /// The agreements as known at <paramref name="asOf"/>, in id order after <paramref name="afterId"/>,
    /// folded from the events recorded by then, <see cref="PortfolioChunk"/> agreements per read: the
    /// caller stops reading once it has what it needs, so a page costs what it shows (plus what its
    /// filters pass over), never a fold of the whole ledger held in memory.
    /// </summary>
    public static async IAsyncEnumerable<Agreement> PortfolioAsync(
        StoredEvents events, DateTimeOffset asOf, string? afterId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var after = afterId;
        while (true)
        {
            var known = await events.ReadAgreementsAsync(asOf, after, PortfolioChunk, ct);
            if (known.Count == 0)
            {
                yield break;
            }

            var agreements = 0;
            foreach (var stream in known.GroupBy(e => e.AgreementId))
            {
                var history = stream.ToList();
                if (history[0].Data is AgreementProposed)
                {
                    yield return Agreement.Replay(history);
                }

                after = stream.Key;
                agreements++;
            }

            if (agreements < PortfolioChunk)
            {
                yield break;
            }
        }
    }

    /// <summary>RFC 3339's date-time (ASCII digits only; seconds optional; any number of fraction digits).</summary>
    [GeneratedRegex(@"^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?<time>[0-9]{2}:[0-9]{2})(?::(?<seconds>[0-9]{2})(?:\.(?<fraction>[0-9]{1,30}))?)?(?:[Zz]|(?<sign>[+-])(?<hours>[0-9]{2}):(?<minutes>[0-9]{2}))\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstantWithOffset();
}
