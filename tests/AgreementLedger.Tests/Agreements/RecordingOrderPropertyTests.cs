using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Ledger;
using CsCheck;
using JasperFx.Events;

namespace AgreementLedger.Tests.Agreements;

/// <summary>
/// Any order in which staff could have recorded a valid history (every recorded prefix valid in
/// effective time) folds into the same state as the history itself.
/// </summary>
public sealed class RecordingOrderPropertyTests
{
    private static readonly string[] PartyPool = ["JP", "GB", "IT", "US", "KR", "EU"];

    [Fact]
    public void any_recording_order_of_a_valid_history_yields_the_same_state()
    {
        var shuffled = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var history = ValidHistory(random);
            var order = RecordingOrder(history, random);
            if (order is null)
            {
                return true;
            }

            if (!order.SequenceEqual(history))
            {
                Interlocked.Increment(ref shuffled);
            }

            var agreement = new Agreement();
            for (var i = 0; i < order.Count; i++)
            {
                Assert.Null(agreement.WouldBreak(order[i]));
                agreement = agreement.Fold(i + 1, order[i], $"h{i + 1}", default);
            }

            var expected = Lifecycle.Replay(history.Select((e, i) => new LifecycleFact(i + 1, e))).State;
            var replayed = Agreement.Replay(order.Select((e, i) => new StoredEvent("", i + 1, e, $"h{i + 1}", default)));
            return JsonSerializer.Serialize(expected) == JsonSerializer.Serialize(agreement.Lifecycle)
                && JsonSerializer.Serialize(replayed) == JsonSerializer.Serialize(agreement);
        }, iter: 500, threads: 1);

        // The property must not hold vacuously: most samples are recorded out of effective order.
        Assert.True(shuffled > 250, $"only {shuffled} of 500 samples were recorded out of order");
    }

    /// <summary>A random walk through the lifecycle, one event per distinct day.</summary>
    private static List<IAgreementEvent> ValidHistory(Random random)
    {
        var day = new DateOnly(2020, 1, 1);
        var parties = PartyPool.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray();
        var history = new List<IAgreementEvent> { new AgreementProposed("p", "P", "treaty", parties, [], null, day, []) };
        var state = Lifecycle.Replay([new LifecycleFact(1, history[0])]).State;
        var steps = random.Next(1, 14);
        for (var step = 0; step < steps; step++)
        {
            day = day.AddDays(random.Next(1, 4));
            // Reservations name versions (their own, refersTo): another recording order numbers them otherwise.
            var candidates = Candidates(state, day, step, versioned: false).Where(e => Lifecycle.Refusal(state, e) is null).ToList();
            if (candidates.Count == 0)
            {
                break;
            }

            var next = candidates[random.Next(candidates.Count)];
            history.Add(next);
            state = Lifecycle.Evolve(state, new LifecycleFact(history.Count, next));
        }

        return history;
    }

    /// <summary>Every kind of event on <paramref name="day"/> that might follow <paramref name="state"/> (the lifecycle decides which may).</summary>
    internal static IEnumerable<IAgreementEvent> Candidates(LifecycleState state, DateOnly day, int step, bool versioned = true)
    {
        yield return new NegotiationRoundHeld(day, null, [], null);
        yield return new TermsAgreed(day, null);
        foreach (var party in state.Parties)
        {
            yield return new PartySigned(party, day, null, null);
            yield return new PartySigned(party, day, null, null);
        }

        yield return new PartyJoined(PartyPool[step % PartyPool.Length], day);
        yield return new DeliverablePlanned($"d{step}", "D", null, day);
        yield return new FundingCommitted("EU", 10m + step, step % 2 == 0 ? "EUR" : "JPY", null, day);
        foreach (var deliverable in state.Deliverables)
        {
            yield return new DeliverableDelivered(deliverable.DeliverableId, day, null);
        }

        yield return new TargetSet(Lifecycle.Milestones.ElementAt(step % Lifecycle.Milestones.Count), day.AddDays(30), null, day);
        yield return new SourceCited("Reuters", null, null, null, day);
        yield return new AgreementAmended($"scope {step}", day);
        yield return new AgreementSuspended("review", day);
        yield return new AgreementResumed("done", day);
        yield return new AgreementTerminated("ended", day);
        yield return new AgreementWithdrawn("abandoned", day);

        // Treaty law: consents of every kind, entries into force (for the parties worked out as the command does),
        // provisional application, reservations and objections to them, withdrawals taking effect later.
        foreach (var party in state.Parties)
        {
            yield return new ConsentExpressed(party, step % 2 == 0 ? "ratification" : "approval", day, null, null, null, null);
            yield return new ConsentExpressed(party, "definitive-signature", day, null, null, null, null);
            yield return new ProvisionalApplicationStarted(party, day, null);
            yield return new PartyWithdrew(party, day, day.AddDays(step % 3 * 10), null);
            if (versioned)
            {
                yield return new ReservationMade(party, step % 2 == 0 ? "reservation" : "declaration", $"text {step}", null, day);
            }
        }

        yield return new ConsentExpressed(PartyPool[(step + 1) % PartyPool.Length], "accession", day, null, null, null, null);
        yield return new EnteredIntoForce(day, AgreementLedger.Agreements.TreatyLaw.TreatyRules.DefaultParties(state, day), null);
        foreach (var reservation in state.Treaty.Reservations)
        {
            yield return new ReservationMade(state.Parties[step % state.Parties.Count], step % 2 == 0 ? "objection" : "withdrawal", "x", reservation.Version, day);
        }
    }

    /// <summary>
    /// A random recording order, proposal first, built by repeatedly recording a random remaining
    /// event that keeps the recorded set valid in effective time; null when it paints itself into a corner.
    /// </summary>
    private static List<IAgreementEvent>? RecordingOrder(List<IAgreementEvent> history, Random random)
    {
        var recorded = new List<(long Version, IAgreementEvent Event)> { (1, history[0]) };
        var remaining = history.Skip(1).ToList();
        while (remaining.Count > 0)
        {
            var fits = remaining.Where(candidate =>
                Lifecycle.Replay(recorded.Append((recorded.Count + 1, candidate)).Select(r => new LifecycleFact(r.Version, r.Event))).Break is null).ToList();
            if (fits.Count == 0)
            {
                return null;
            }

            var chosen = fits[random.Next(fits.Count)];
            recorded.Add((recorded.Count + 1, chosen));
            remaining.Remove(chosen);
        }

        return [.. recorded.Select(r => r.Event)];
    }
}
