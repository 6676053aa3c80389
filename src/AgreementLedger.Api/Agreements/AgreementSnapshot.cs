using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace AgreementLedger.Agreements;

/// <summary>
/// The inline snapshot of every agreement (<c>mt_doc_agreement</c>): <see cref="Agreement.Evolve"/> per
/// event, on the snapshot as stored, which leaves the facts out. A fact dated before the newest one, or a
/// retraction, needs them: the agreement is then folded from its stored events first (the events of this
/// transaction not yet among them, so only the first event appended to a stored snapshot may be one).
/// </summary>
public sealed class AgreementSnapshot : SingleStreamProjection<Agreement, string>
{
    /// <summary>The stream type Marten records for an agreement's stream (<c>mt_streams.type</c>).</summary>
    public const string StreamTypeName = "agreement";

    /// <summary>The snapshot's document type as Marten records it (<c>mt_doc_agreement.mt_dotnet_type</c>).</summary>
    public static readonly string DocumentType = typeof(Agreement).FullName!;

    /// <summary>Named as Marten names a snapshot of <see cref="Agreement"/>: what <c>projections list</c> shows and the guard expects.</summary>
    public AgreementSnapshot() => Name = nameof(Agreement);

    public override async ValueTask<Agreement?> EvolveAsync(Agreement? snapshot, string id, IQuerySession session, IEvent e, CancellationToken cancellation)
    {
        var agreement = snapshot ?? new Agreement();
        try
        {
            return agreement.Evolve(e);
        }
        catch (FactsUnknownException)
        {
            var known = await AgreementFacts.LoadAsync(session, id, agreement.Version, cancellation);
            return known.Evolve(e);
        }
    }
}
