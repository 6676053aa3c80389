using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Checkpoints;
using AgreementLedger.Agreements.GettingDetails;
using CsCheck;

namespace AgreementLedger.Tests.Agreements;

/// <summary>
/// Time travel from a version checkpoint answers exactly what the naive fold of every known event
/// answers: on random histories the commands would admit, with facts dated late and retractions, and on
/// histories no command would (breaks, a retraction ahead of its event, no proposal first); for every
/// version, folded on from a checkpoint at a random earlier version (or from none).
/// </summary>
public sealed class VersionCheckpointPropertyTests
{
    private static readonly DateOnly FirstDay = new(2020, 1, 1);

    private static readonly DateTimeOffset FirstRecorded = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void folding_on_from_a_checkpoint_answers_as_the_naive_fold()
    {
        int lateFacts = 0, retractions = 0, foldedOn = 0, fromEvents = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var events = random.Next(5) == 0 ? Arbitrary(random) : Admitted(random);
            lateFacts += events.Count(e => IsLate(events, e));
            retractions += events.Count(e => e.Data is EventRetracted);
            for (var version = 1; version <= events.Count; version++)
            {
                var known = events.Take(version).ToList();
                var expected = View(new PointInTime(null, version, null).Fold(known));

                // A checkpoint as a read keeps it: after a version whose naive fold is an agreement.
                var at = random.Next(version);
                var naiveThere = at == 0 ? null : Agreement.Replay(events.Take(at));
                var start = naiveThere is null || events[0].Data is not AgreementProposed ? VersionState.Empty : VersionState.Of(naiveThere);
                var (state, due, folded) = CheckpointedFold.FoldOn(start, events.Skip((int)start.Version).Take(version - (int)start.Version));
                if (folded)
                {
                    foldedOn++;
                    Assert.Equal(expected, View(state.Version == 0 ? null : state.ToAgreement()));
                    // The state reached is the one the naive fold's would be kept as, so folding on from it stays exact.
                    Assert.Equal(Json(VersionState.Of(Agreement.Replay(known))), Json(state));
                }
                else
                {
                    fromEvents++;
                }

                foreach (var kept in due)
                {
                    Assert.Equal(Json(VersionState.Of(Agreement.Replay(events.Take((int)kept.Version)))), Json(kept));
                }
            }

            return true;
        }, iter: 300, threads: 1);

        // Not vacuous: late facts and retractions occur, and many answers take each way.
        Assert.True(lateFacts > 300 && retractions > 100, $"{lateFacts} late facts, {retractions} retractions");
        Assert.True(foldedOn > 500 && fromEvents > 500, $"{foldedOn} folded on from a checkpoint, {fromEvents} from the events");
    }

    /// <summary>A history the commands would admit: each event judged by <see cref="Agreement.Admit(IAgreementEvent)"/> against those before.</summary>
    internal static List<StoredEvent> Admitted(Random random)
    {
        var events = new List<StoredEvent>();
        var agreement = new Agreement();
        void Record(object data)
        {
            var e = Stored(events.Count + 1, data);
            events.Add(e);
            agreement = agreement.Fold(e.Version, data, e.Hash, e.RecordedAt);
        }

        Record(new AgreementProposed("p", "P", "treaty", ["JP", "GB"], [], null, FirstDay, []));
        var newest = FirstDay;
        var steps = random.Next(1, 40);
        for (var step = 0; step < steps; step++)
        {
            if (random.Next(6) == 0 && agreement.Version > 1)
            {
                var retraction = new EventRetracted(random.Next(2, (int)agreement.Version + 1), "wrong");
                if (agreement.Admit(retraction) is Decision.Accepted)
                {
                    Record(retraction);
                }

                continue;
            }

            var day = random.Next(3) == 0 ? newest.AddDays(-random.Next(0, 20)) : newest.AddDays(random.Next(0, 3));
            day = day < FirstDay ? FirstDay : day;
            var candidates = RecordingOrderPropertyTests.Candidates(agreement.Lifecycle, day, step).ToList();
            var candidate = candidates[random.Next(candidates.Count)];
            if (agreement.Admit(candidate) is Decision.Accepted)
            {
                Record(candidate);
                newest = day > newest ? day : newest;
            }
        }

        return events;
    }

    /// <summary>Events no command judged: any order, any date, retractions of any version, sometimes no proposal first.</summary>
    private static List<StoredEvent> Arbitrary(Random random)
    {
        var events = new List<StoredEvent>();
        if (random.Next(4) != 0)
        {
            events.Add(Stored(1, new AgreementProposed("p", "P", "treaty", ["JP"], [], null, FirstDay, [])));
        }

        var state = LifecycleState.Empty with { Parties = ["JP"] };
        var count = random.Next(1, 25);
        while (events.Count < count)
        {
            var version = events.Count + 1;
            if (random.Next(5) == 0)
            {
                events.Add(Stored(version, new EventRetracted(random.Next(1, count + 3), "any")));
                continue;
            }

            var candidates = RecordingOrderPropertyTests.Candidates(state, FirstDay.AddDays(random.Next(-3, 30)), version).ToList();
            events.Add(Stored(version, candidates[random.Next(candidates.Count)]));
        }

        return events;
    }

    private static StoredEvent Stored(long version, object data) =>
        new("p", version, data, $"h{version}", FirstRecorded.AddSeconds(version));

    private static bool IsLate(List<StoredEvent> events, StoredEvent e) =>
        e.Data is IAgreementEvent @event && events.Take((int)e.Version - 1).Any(b => b.Data is IAgreementEvent before && before.OccurredOn > @event.OccurredOn);

    private static string View(Agreement? agreement) =>
        agreement is null ? "none" : JsonSerializer.Serialize(AgreementDetails.From(agreement, new DateOnly(2026, 12, 1)));

    private static string Json(VersionState state) => JsonSerializer.Serialize(state);
}
