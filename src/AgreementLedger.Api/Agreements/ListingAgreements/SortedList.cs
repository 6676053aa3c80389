using System.Buffers.Text;
using System.Globalization;
using System.Text;
using AgreementLedger.Agreements.Checkpoints;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using Marten;

namespace AgreementLedger.Agreements.ListingAgreements;

/// <summary>
/// The list's order (<c>sort=id|signedOn|nextTarget|lastChange</c>, a leading <c>-</c> for descending). Agreements
/// without the key (not signed, no unmet target) come after those with it, either way; ties go by id.
/// </summary>
public sealed record ListOrder(string Key, bool Descending)
{
    public const string Id = "id";
    public const string SignedOn = "signedOn";
    public const string NextTarget = "nextTarget";
    public const string LastChange = "lastChange";

    private static readonly string[] Keys = [Id, SignedOn, NextTarget, LastChange];

    /// <summary>Ascending by id: the order the version rows and the snapshots can page by themselves.</summary>
    public bool ById => Key == Id && !Descending;

    public string Text => (Descending ? "-" : "") + Key;

    /// <summary>The order asked for (by id when none is), or null with a 400 in <paramref name="checks"/>.</summary>
    public static ListOrder? Parse(string? sort, Checks checks)
    {
        if (sort is null)
        {
            return new ListOrder(Id, false);
        }

        var descending = sort.StartsWith('-');
        var key = descending ? sort[1..] : sort;
        if (!Keys.Contains(key, StringComparer.Ordinal))
        {
            checks.Add("sort", $"must be one of {string.Join(", ", Keys)}, with a leading - for descending");
            return null;
        }

        return new ListOrder(key, descending);
    }

    /// <summary>The agreement's key in this order, as text that sorts as the value does (ISO dates, fixed-width instants); null when it has none.</summary>
    public string? KeyOf(Agreement agreement) => Key switch
    {
        SignedOn => agreement.Lifecycle.SignedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        NextTarget => AgreementListItem.NextTargetOf(agreement, DateOnly.MaxValue)?.TargetDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        LastChange => EventEnvelope.FormatInstant(agreement.LastRecordedAt),
        _ => null,
    };

    public int Compare((string? Key, string Id) a, (string? Key, string Id) b)
    {
        var direction = Descending ? -1 : 1;
        if (Key == Id)
        {
            return direction * string.CompareOrdinal(a.Id, b.Id);
        }

        if ((a.Key is null) != (b.Key is null))
        {
            return a.Key is null ? 1 : -1;
        }

        var byKey = a.Key is null ? 0 : direction * string.CompareOrdinal(a.Key, b.Key);
        return byKey != 0 ? byKey : string.CompareOrdinal(a.Id, b.Id);
    }
}

/// <summary>
/// The list in another order than by id, or as in effect on a date: every agreement known then that the filters
/// which time cannot widen (party, area, kind: an agreement's parties in effect on a date are among those known) let
/// through, folded as at the point asked for, filtered again, ordered, then paged after the cursor's (key, id).
/// </summary>
public static class SortedList
{
    private const string Prefix = "s1|";

    /// <summary>The stored snapshots (now) passing <paramref name="filter"/>, as Marten translates it to SQL.</summary>
    public static IQueryable<Agreement> Snapshots(IQuerySession session, ListFilter filter)
    {
        IQueryable<Agreement> query = session.Query<Agreement>();
        foreach (var condition in filter.Conditions())
        {
            query = query.Where(condition);
        }

        return query;
    }

    /// <summary>Up to <paramref name="take"/> + 1 agreements after <paramref name="after"/> in <paramref name="order"/> (one more says there is a next page).</summary>
    public static async Task<List<Agreement>> PageAsync(
        ListFilter filter, Func<Agreement, bool> also, PointInTime at, ListOrder order, (string? Key, string Id)? after, int take,
        IQuerySession session, KnownAgreements known, CheckpointedFold fold, CancellationToken ct)
    {
        var standing = filter with { Status = null };
        var passes = filter.Compiled();
        var candidates = at.AsOf is { } knownAt
            ? await known.ReadAsync(knownAt, standing, null, null, ct)
            : await Snapshots(session, standing).ToListAsync(ct);

        var keyed = new List<((string? Key, string Id) Key, Agreement Agreement)>(candidates.Count);
        foreach (var candidate in candidates)
        {
            // Now, the snapshot is the state; otherwise the agreement folded as at the point (from its nearest checkpoint for asOf).
            var agreement = at.IsNow ? candidate : await fold.FoldAsync(candidate.Id, at, ct);
            if (agreement is not null && passes(agreement) && also(agreement))
            {
                keyed.Add(((order.KeyOf(agreement), agreement.Id), agreement));
            }
        }

        keyed.Sort((a, b) => order.Compare(a.Key, b.Key));
        return [.. keyed.Where(k => after is not { } cursor || order.Compare(k.Key, cursor) > 0).Take(take + 1).Select(k => k.Agreement)];
    }

    public static string FormatCursor(ListOrder order, Agreement last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Prefix}{order.Text}|{order.KeyOf(last)}|{last.Id}"));

    /// <summary>The (key, id) after which the page starts; a cursor not issued for this order is a 400 in <paramref name="checks"/>.</summary>
    public static (string? Key, string Id)? ReadCursor(string? cursor, ListOrder? order, Checks checks)
    {
        if (cursor is null || order is null)
        {
            return null;
        }

        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split('|');
        }
        catch (FormatException)
        {
            parts = [];
        }

        if (parts.Length != 4 || parts[0] + "|" != Prefix || !AgreementIds.Pattern().IsMatch(parts[3]) || parts[2].Length > 40)
        {
            checks.Add("cursor", "is not a cursor this service issued for this order (sort) and effectiveOn");
            return null;
        }

        if (parts[1] != order.Text)
        {
            checks.Add("cursor", $"was issued for sort={parts[1]}: follow it with the same sort");
            return null;
        }

        return (parts[2].Length == 0 ? null : parts[2], parts[3]);
    }
}
