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
public sealed record PointInTime(DateTimeOffset? AsOf, long? Version, DateOnly? EffectiveOn)
{
    public bool IsNow => AsOf is null && Version is null && EffectiveOn is null;

    /// <summary>The date targets are judged against: effectiveOn, else the date of asOf, else today.</summary>
    /// <remarks>An asOf after now means now: its date is never later than today.</remarks>
    public DateOnly ReferenceDate(DateOnly today) =>
        EffectiveOn ?? (AsOf is { } asOf && DateOnly.FromDateTime(asOf.UtcDateTime) < today ? DateOnly.FromDateTime(asOf.UtcDateTime) : today);

    /// <summary>Parses the query parameters; field errors go to <paramref name="checks"/>.</summary>
    public static PointInTime Parse(string? asOf, string? version, string? effectiveOn, Checks checks)
    {
        var knownAt = Instants.AsOf(asOf, checks);

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
}
