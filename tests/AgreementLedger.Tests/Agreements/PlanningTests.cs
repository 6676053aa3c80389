using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Planning;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class PlanningTests
{
    [Fact]
    public void a_deliverable_id_starting_with_a_dot_is_invalid() =>
        Invalid(PlanDeliverableEndpoint.Validate(new PlanDeliverable(".d1", "Bridge", null, null), Clock), "deliverableId", "starting with a letter or digit");

    [Fact]
    public void a_name_is_required() =>
        Invalid(PlanDeliverableEndpoint.Validate(new PlanDeliverable("d1", null, null, null), Clock), "name", "is required");

    [Fact]
    public void a_deliverable_is_planned_today_by_default() =>
        Assert.Equal(new DeliverablePlanned("d1", "Bridge", Today.AddYears(1), Today),
            Accepted<DeliverablePlanned>(PlanDeliverableEndpoint.Decide(new PlanDeliverable("d1", "Bridge", Today.AddYears(1), null), History(Proposal()), Today)));

    [Fact]
    public void a_deliverable_is_planned_once() =>
        Conflict(PlanDeliverableEndpoint.Decide(new PlanDeliverable("d1", "Again", null, null), History(Proposal(), new DeliverablePlanned("d1", "Bridge", null, ProposedOn)), Today),
            "Deliverable 'd1' is already planned (event 2). Recording this would break the lifecycle at event 3 (deliverable_planned) on 2026-12-01.");
}
