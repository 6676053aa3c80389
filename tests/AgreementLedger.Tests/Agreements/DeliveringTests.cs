using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Delivering;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class DeliveringTests
{
    [Fact]
    public void a_deliverable_id_is_required() =>
        Invalid(RecordDeliveryEndpoint.Validate(new RecordDelivery(null, null, null), Clock), "deliverableId", "is required");

    [Fact]
    public void a_planned_deliverable_is_delivered() =>
        Assert.Equal(new DeliverableDelivered("d1", Today, "Opened"),
            Accepted<DeliverableDelivered>(RecordDeliveryEndpoint.Decide(new RecordDelivery("d1", null, "Opened"), Signed(new DeliverablePlanned("d1", "Bridge", null, ProposedOn)), Today)));

    [Fact]
    public void only_a_planned_deliverable_is_delivered() =>
        Conflict(RecordDeliveryEndpoint.Decide(new RecordDelivery("d9", null, null), Signed(new DeliverablePlanned("d1", "Bridge", null, ProposedOn)), Today),
            "Deliverable 'd9' is not planned: plan it first. Recording this would break the lifecycle at event 5 (deliverable_delivered) on 2026-12-01.");

    [Fact]
    public void a_delivery_before_the_proposal_is_invalid_input() =>
        Refused(RecordDeliveryEndpoint.Decide(new RecordDelivery("d1", ProposedOn.AddYears(-1), null), Signed(new DeliverablePlanned("d1", "Bridge", null, ProposedOn)), Today),
            "occurredOn", "must not be before the proposal's occurredOn (2026-01-15)");
}
