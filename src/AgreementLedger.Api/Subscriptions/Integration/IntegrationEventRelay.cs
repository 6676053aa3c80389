using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace AgreementLedger.Subscriptions.Integration;

/// <summary>
/// Publishes every ledger event, in position order, as an integration message of the same shape as
/// <c>GET /events</c>. It runs as a Marten event subscription, so it only ever sees pages below the
/// async daemon's high-water mark (gap-safe), and its messages are written to Wolverine's durable
/// outbox in the same transaction that moves the subscription's progress: an event is either
/// published and its progress recorded, or neither. Delivery is at least once; consumers drop
/// repeats by <c>position</c>.
/// </summary>
public sealed class IntegrationEventRelay : BatchSubscription
{
    public const string RelayName = "integration-events";

    /// <summary>Header carrying the event's ledger position, for consumers that dedupe without parsing.</summary>
    public const string PositionHeader = "ledger-position";

    private readonly NpgsqlDataSource _db;
    private readonly LedgerSchema _schema;
    private readonly MerkleExtender _tree;

    public IntegrationEventRelay(NpgsqlDataSource db, LedgerSchema schema, MerkleExtender tree) : base(RelayName)
    {
        _db = db;
        _schema = schema;
        _tree = tree;
        Options.BatchSize = 500;
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, IMessageBus bus, CancellationToken cancellationToken)
    {
        if (page.Events.Count == 0)
        {
            return;
        }

        // Read back as the feed serves them, once they are in the tree: the stored JSON, written through unparsed,
        // with its hash and leaf index.
        var positions = page.Events.Select(e => e.Sequence).ToArray();
        var events = await EventFeed.ReadPositionsAsync(_db, _schema, _tree, positions, cancellationToken);
        foreach (var e in events)
        {
            await bus.PublishAsync(e, new DeliveryOptions
            {
                Headers = { [PositionHeader] = e.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
    }
}
