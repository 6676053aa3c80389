namespace AgreementLedger.Ledger;

/// <summary>
/// The event table's ROW EXCLUSIVE lock, the first statement of every append (<see cref="LedgerAppend"/>, <see cref="BulkAppend"/>).
/// <para>
/// The feed's safe position is the newest stored position once every transaction that held ROW
/// EXCLUSIVE on the event table when it was read has ended (docs/audit.md). That is only sound if
/// a transaction holds the lock before it draws a position. Marten's append function draws the
/// position (<c>seq := nextval(…)</c>) in one statement and inserts the row (taking the lock) in the
/// next: a writer paused between the two holds a position but no lock, and a later writer's event
/// could be served — and a digest signed — past a position that is still to commit. Taken before the
/// append, in the same round trip, this lock closes that window.
/// </para>
/// </summary>
public static class EventTableAppendLock
{
    /// <summary>The statement every writer of events runs before it draws a position.</summary>
    public static string Statement(LedgerSchema schema) => $"lock table {schema.Events}.mt_events in row exclusive mode";
}
