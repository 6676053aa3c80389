using AgreementLedger.Agreements;

namespace AgreementLedger.Tests.Agreements;

public sealed class DecisionTests
{
    [Fact]
    public void a_decision_is_never_built_without_what_it_decided()
    {
        Assert.Throws<ArgumentNullException>(() => Decision.Accept((IAgreementEvent)null!));
        Assert.Throws<ArgumentNullException>(() => Decision.Accept((EventRetracted)null!));
        Assert.Throws<ArgumentException>(() => Decision.Invalid("", "reason"));
        Assert.Throws<ArgumentException>(() => Decision.Invalid("occurredOn", ""));
        Assert.Throws<ArgumentException>(() => Decision.Conflict(new LifecycleConflict(RuleCodes.StageNotAllowed, "message")));
    }

    [Fact]
    public void the_three_cases_are_the_only_ones() =>
        Assert.All(typeof(Decision).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Decision))),
            t => Assert.True(t.IsSealed && t.DeclaringType == typeof(Decision), t.FullName));
}
