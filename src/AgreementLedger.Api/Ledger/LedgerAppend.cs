using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger.Idempotency;
using Marten;

namespace AgreementLedger.Ledger;

/// <summary>
/// The one commit of a command's events (docs/audit.md "Positions"): the event table's append lock
/// taken before positions are drawn, so the safe position never passes a writer; the idempotency
/// record of the answer written in the same transaction, so a retry replays exactly what was
/// committed and never appends twice; all inside the <c>ledger.append</c> span.
/// </summary>
public sealed class LedgerAppend(EventTableAppendLock appendLock, IdempotencyStore idempotency, LedgerMetrics metrics)
{
    /// <summary>
    /// Commits what <paramref name="session"/> holds for agreement <paramref name="agreementId"/>,
    /// now at <paramref name="version"/>, with <paramref name="answer"/> as the answer a keyed retry
    /// of <paramref name="http"/>'s request gets. Never cancelled by the client: once the commit is
    /// sent, its answer must be the one recorded.
    /// </summary>
    public async Task CommitAsync(IDocumentSession session, HttpContext http, StoredAnswer answer, string agreementId, long version)
    {
        var claim = http.Features.Get<IdempotencyClaim>();
        if (claim is not null)
        {
            session.QueueSqlCommand(idempotency.CompleteSql,
                IdempotencyStore.CompletionValues(claim.Principal, claim.Key, answer.Status, answer.Body, answer.ETag, answer.Location));
        }

        var appended = session.PendingChanges.Streams().SelectMany(s => s.Events).Select(e => e.EventTypeName).ToList();
        session.QueueOperation(appendLock);
        using (var span = LedgerMetrics.Source.StartActivity("ledger.append"))
        {
            span?.SetTag("ledger.agreement_id", agreementId);
            span?.SetTag("ledger.event_types", string.Join(',', appended));
            span?.SetTag("ledger.stream_version", version);
            await session.SaveChangesAsync(CancellationToken.None);
        }

        claim?.Completed = true;
        appended.ForEach(metrics.EventAppended);
    }
}
