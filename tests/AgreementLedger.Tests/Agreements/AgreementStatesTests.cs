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
    public void keeping_only_where_none_is_kept_never_replaces_a_kept_state_in_either_generation()
    {
        var states = new AgreementStates(3);
        states.Keep("a", At("a", 5));
        states.Keep("b", At("b", 1));
        states.Keep("c", At("c", 1));
        states.Keep("e", At("e", 1));

        // "a", "b" and "c" are in the older generation now, "e" in the younger.
        Assert.False(states.KeepIfAbsent("a", At("a", 4)));
        Assert.False(states.KeepIfAbsent("e", At("e", 0)));
        Assert.True(states.KeepIfAbsent("d", At("d", 2)));

        Assert.True(states.TryGet("a", out var a));
        Assert.Equal(5, a.Version);
        Assert.True(states.TryGet("e", out var e));
        Assert.Equal(1, e.Version);
        Assert.True(states.TryGet("d", out var d));
        Assert.Equal(2, d.Version);
        Assert.False(new AgreementStates(0).KeepIfAbsent("a", At("a", 1)));
    }

    [Fact]
    public void a_forgotten_state_is_not_counted_so_a_generation_turns_only_when_it_holds_capacity_agreements()
    {
        var states = new AgreementStates(3);
        states.Keep("a", At("a", 1));
        states.Keep("b", At("b", 1));
        states.Forget("b");
        states.Keep("b", At("b", 2));
        states.Keep("x", At("x", 1));

        // {a, b, x} filled the younger generation and became the older: two more fit beside it without dropping "a".
        // Had "b" been counted twice, {a, b} would have turned early and {x, y, z} would have turned "a" out.
        states.Keep("y", At("y", 1));
        states.Keep("z", At("z", 1));
        Assert.True(states.TryGet("a", out _));
    }

    [Fact]
    public void a_capacity_of_zero_keeps_nothing()
    {
        var states = new AgreementStates(0);
        states.Keep("a", At("a", 1));
        Assert.False(states.TryGet("a", out _));
    }
}
