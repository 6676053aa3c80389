using System.Data.Common;
using JasperFx.Events;
using Weasel.Core;
using Weasel.Storage;

namespace AgreementLedger.Ledger;

/// <summary>
/// Takes the event table's ROW EXCLUSIVE lock as the first statement of an append's batch.
/// <para>
/// The feed's safe position is the newest stored position once every transaction that held ROW
/// EXCLUSIVE on the event table when it was read has ended (docs/audit.md). That is only sound if
/// a transaction holds the lock before it draws a position. Marten's append function draws the
/// position (<c>seq := nextval(…)</c>) in one statement and inserts the row (taking the lock) in the
/// next: a writer paused between the two holds a position but no lock, and a later writer's event
/// could be served — and a digest signed — past a position that is still to commit. Queued before
/// the append (event operations run in the order queued, before document operations), this lock
/// closes that window in the same round trip.
/// </para>
/// </summary>
public sealed class EventTableAppendLock(LedgerSchema schema) : Weasel.Storage.IStorageOperation, NoDataReturnedCall
{
    private readonly string _statement = Statement(schema);

    /// <summary>The statement every writer of events runs before it draws a position (the bulk import too).</summary>
    public static string Statement(LedgerSchema schema) => $"lock table {schema.Events}.mt_events in row exclusive mode";

    public Type DocumentType => typeof(IEvent);

    public void ConfigureCommand(Weasel.Core.ICommandBuilder builder, IStorageSession session) => builder.Append(_statement);

    public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;
}
