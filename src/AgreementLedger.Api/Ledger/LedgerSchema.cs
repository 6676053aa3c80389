namespace AgreementLedger.Ledger;

/// <summary>The PostgreSQL schema that holds the event store, for the few queries that read it directly.</summary>
public sealed record LedgerSchema(string Events)
{
    public static LedgerSchema Default { get; } = new("ledger");
}
