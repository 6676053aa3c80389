using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.GettingDetails;
using CsCheck;

namespace AgreementLedger.Tests.Agreements;

/// <summary>
/// An agreement read back from its snapshot (which leaves the facts out and keeps the newest fact's key)
/// decides on and folds every next event exactly as the agreement folded from its events does, or asks for
/// the facts (<see cref="FactsUnknownException"/>) — never for a fact that comes after every known one, the
/// common case a command's cost must not grow in. The fold event by event also equals the replay of the
/// whole history, and both store the same snapshot bytes. Random histories the commands would admit, with
/// facts dated late and retractions (<see cref="VersionCheckpointPropertyTests.Admitted"/>).
/// </summary>
public sealed class SnapshotFoldPropertyTests
{
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerOptions.Web);

    [Fact]
    public void a_snapshot_decides_and_folds_as_the_agreement_with_its_facts_or_asks_for_them()
    {
        int stepped = 0, asked = 0, decided = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var events = VersionCheckpointPropertyTests.Admitted(random);
            var full = new Agreement();
            foreach (var e in events)
            {
                var snapshot = ReadBack(full);
                Assert.Null(snapshot.Facts);

                // Every decision a command could take next: the snapshot's is the full agreement's, or it asks.
                var day = full.NewestFactOn ?? new DateOnly(2020, 1, 1);
                IEnumerable<object> next = [
                    .. RecordingOrderPropertyTests.Candidates(full.Lifecycle, day.AddDays(random.Next(-5, 3)), (int)full.Version),
                    new EventRetracted(random.Next(0, (int)full.Version + 2), "any"),
                ];
                foreach (var candidate in next)
                {
                    var expected = Decide(full, candidate);
                    try
                    {
                        Assert.Equal(expected, Decide(snapshot, candidate));
                        decided++;
                    }
                    catch (FactsUnknownException)
                    {
                        Assert.True(NeedsFacts(full, candidate), $"asked for the facts to decide on {candidate}");
                    }
                }

                var folded = full.Fold(e.Version, e.Data, e.Hash, e.RecordedAt);
                try
                {
                    Assert.Equal(Json(folded), Json(snapshot.Fold(e.Version, e.Data, e.Hash, e.RecordedAt)));
                    stepped++;
                }
                catch (FactsUnknownException)
                {
                    Assert.True(NeedsFacts(full, e.Data), $"asked for the facts to fold {e.Data}");
                    asked++;
                }

                Assert.Equal(Json(Agreement.Replay(events.Take((int)e.Version))), Json(folded));
                Assert.Equal(View(Agreement.Replay(events.Take((int)e.Version))), View(folded));
                full = folded;
            }

            return true;
        }, iter: 300, threads: 1);

        // Not vacuous: most events take the one step, and some need the facts.
        Assert.True(stepped > 1_000 && asked > 100 && decided > 5_000, $"{stepped} stepped, {asked} asked for the facts, {decided} decided");
    }

    /// <summary>
    /// Only a fact dated before the newest one (or on its day, with a lower version: never, versions grow), a retraction,
    /// or a refusal that names the recorded event it conflicts with needs the facts.
    /// </summary>
    private static bool NeedsFacts(Agreement full, object data) =>
        data is EventRetracted || (data is IAgreementEvent @event && ((full.NewestFactOn is { } newest && @event.OccurredOn < newest)
            || full.Admit(@event) is Decision.Conflicting { Members.ConflictsWith: not null }));

    private static string Decide(Agreement agreement, object candidate) => candidate switch
    {
        EventRetracted retraction => agreement.Admit(retraction).ToString()!,
        IAgreementEvent @event => agreement.Admit(@event).ToString()!,
        _ => throw new ArgumentOutOfRangeException(nameof(candidate)),
    };

    /// <summary>The agreement as its snapshot stores it and a command reads it back.</summary>
    private static Agreement ReadBack(Agreement agreement) => JsonSerializer.Deserialize<Agreement>(Json(agreement), Stored)!;

    private static string Json(Agreement agreement) => JsonSerializer.Serialize(agreement, Stored);

    private static string View(Agreement agreement) => JsonSerializer.Serialize(AgreementDetails.From(agreement, new DateOnly(2026, 12, 1)));
}
