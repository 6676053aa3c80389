using AgreementLedger.Agreements;

namespace AgreementLedger.Tests.Agreements;

public sealed class AgreementStatesTests
{
    private static Agreement At(string id, long version) => new() { Id = id, Version = version };

    [Fact]
    public void a_kept_state_is_the_last_one_kept_for_its_id_until_it_is_forgotten()
    {
        var states = new AgreementStates(4);
        states.Keep("a", At("a", 1));
        states.Keep("a", At("a", 2));

        Assert.True(states.TryGet("a", out var kept));
        Assert.Equal(2, kept.Version);
        Assert.False(states.TryGet("b", out _));

        states.Forget("a");
        Assert.False(states.TryGet("a", out _));
    }

    [Fact]
    public void the_last_capacity_agreements_used_are_kept_even_when_used_in_turn_and_never_more_than_twice_as_many()
    {
        const int capacity = 100;
        var states = new AgreementStates(capacity);
        var ids = Enumerable.Range(0, capacity).Select(i => $"agreement-{i}").ToArray();

        // In turn, round after round: the pattern that empties a least-recently-used list of exactly this size.
        for (var round = 0; round < 5; round++)
        {
            foreach (var id in ids)
            {
                if (round > 0)
                {
                    Assert.True(states.TryGet(id, out var kept), $"round {round}: {id} was dropped");
                    Assert.Equal(round, kept.Version);
                }

                states.Keep(id, At(id, round + 1));
            }
        }

        // Twice as many others: the first hundred are gone, whatever was kept.
        for (var i = 0; i < 2 * capacity; i++)
        {
            states.Keep($"other-{i}", At($"other-{i}", 1));
        }

        Assert.InRange(states.Count, capacity, 2 * capacity);
        Assert.DoesNotContain(ids, id => states.TryGet(id, out _));
    }

    [Fact]
    public void a_capacity_of_zero_keeps_nothing()
    {
        var states = new AgreementStates(0);
        states.Keep("a", At("a", 1));
        Assert.False(states.TryGet("a", out _));
    }
}
