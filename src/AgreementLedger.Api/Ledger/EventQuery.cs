namespace AgreementLedger.Ledger;

/// <summary>
/// Which stored events to read, as the contract's words: of one agreement, recorded at or before an
/// instant, up to a version, in a range of positions, at given positions, of given types, the first
/// agreements of a page. Every condition left null is not applied.
/// </summary>
public sealed record EventQuery
{
    public string? AgreementId { get; init; }

    /// <summary>Recorded (<c>mt_events.timestamp</c>) at or before this instant.</summary>
    public DateTimeOffset? AsOf { get; init; }

    public long? UpToVersion { get; init; }

    /// <summary>Versions at or after this one (time travel reads on from a checkpoint's version).</summary>
    public long? FromVersion { get; init; }

    /// <summary>Positions strictly after this one.</summary>
    public long? AfterPosition { get; init; }

    /// <summary>Positions at or before this one.</summary>
    public long? UpToPosition { get; init; }

    public long[]? Positions { get; init; }

    /// <summary>Only these versions (of <see cref="AgreementId"/>).</summary>
    public long[]? Versions { get; init; }

    public IReadOnlyCollection<string>? Types { get; init; }

    /// <summary>In effect on this day: an effective day (<see cref="EventEnvelope.EffectiveDaySql"/>) at or before it.</summary>
    public DateOnly? EffectiveOn { get; init; }

    /// <summary>The keyset of <see cref="EventOrder.ByEffectiveDay"/>: rows after this (day as yyyy-MM-dd, or "" for the first page; version).</summary>
    public (string Day, long Version)? AfterEffective { get; init; }

    /// <summary>
    /// Only the first <see cref="AgreementPage.Count"/> agreements after <see cref="AgreementPage.AfterId"/>
    /// (in id order) proposed by <see cref="AsOf"/> (or ever, without it): one page of agreements.
    /// </summary>
    public AgreementPage? Agreements { get; init; }

    public EventOrder Order { get; init; } = EventOrder.ByPosition;

    public int? Limit { get; init; }

    /// <summary>Whether rows carry the event's data; a pass over hashes alone leaves it out.</summary>
    public bool WithData { get; init; } = true;

    /// <summary>
    /// Whether rows carry their leaf index (<see cref="StoredEventRow.LeafIndex"/>): one join by position on the
    /// tree's leaf rows (a unique index), so the feed, the timeline and the export name it without a second query.
    /// </summary>
    public bool WithLeafIndex { get; init; }
}

/// <summary>A page of agreements by id: those after <paramref name="AfterId"/>, at most <paramref name="Count"/>.</summary>
public sealed record AgreementPage(string? AfterId, int Count);
