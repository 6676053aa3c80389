namespace AgreementLedger.Ledger;

/// <summary>
/// The event table's ROW EXCLUSIVE lock, the first statement of every append (<see cref="AppendFunction"/>, which
/// every command's commit calls, and <see cref="BulkAppend"/>).
/// <para>
/// The feed's safe position is the newest stored position once every transaction that held ROW
/// EXCLUSIVE on the event table when it was read has ended (docs/audit.md). That is only sound if
/// a transaction holds the lock before it draws a position: a writer that drew one without it (Marten's own
/// append function draws the position in one statement and inserts the row, taking the lock, in the next) could
/// pause in between holding a position but no lock, and a later writer's event could be served — and a digest
/// signed — past a position that is still to commit. Taken before any position is drawn, this lock closes that window.
/// </para>
/// </summary>
public static class EventTableAppendLock
{
    /// <summary>The statement every writer of events runs before it draws a position.</summary>
    public static string Statement(LedgerSchema schema) => $"lock table {schema.Events}.mt_events in row exclusive mode";
}
