namespace AgreementLedger.Ledger;

/// <summary>The order <see cref="StoredEventReader"/> returns events in.</summary>
public enum EventOrder
{
    /// <summary>Ledger-wide position order (<c>seq_id</c>): the feed, export and digests.</summary>
    ByPosition,

    /// <summary>Agreement then version: folds, time travel and chain verification.</summary>
    ByAgreement,

    /// <summary>Effective day (<see cref="EventEnvelope.EffectiveDaySql"/>) then version: the timeline.</summary>
    ByEffectiveDay,
}
