namespace AgreementLedger.Agreements.Checkpoints;

/// <summary>
/// An agreement at a point in time (docs/api.md "Time travel") folded on from the nearest kept state
/// (<see cref="VersionCheckpoints"/>) instead of from its first event: for <c>asOf</c> and <c>version</c>,
/// the newest intact checkpoint at or before the point, then only the events after it. Whatever cannot be
/// folded on from a state (<see cref="VersionState.Step"/>: a retraction, a fact dated late), a checkpoint
/// missing, altered or not the stored history's, and every <c>effectiveOn</c> (a fact dated late changes
/// every effective-time prefix, so no version's state serves it) are folded from the events exactly as
/// before (<see cref="PointInTime.Fold"/>), so the answer is the same either way.
/// <para>
/// Checkpoints are kept by the reads themselves, after folding past where one is due: appends do not
/// write them (the command path stays as it is), and only agreements that are read at a point in time
/// get them. One is due <see cref="Every"/> versions after the previous one, or an eighth of the state's
/// items (<see cref="VersionState.Items"/>) when that is more: a state that holds every citation grows with
/// the history, so its checkpoints thin out geometrically (their storage stays a few times one state's),
/// and the events folded on from one cost less than reading it. A read that folded on further also keeps
/// its own point; one that had to fold at least <see cref="Every"/> events from the first keeps its point,
/// so the next read from there on is served from it.
/// </para>
/// </summary>
public sealed class CheckpointedFold(StoredEvents events, VersionCheckpoints checkpoints)
{
    /// <summary>The fewest versions between two checkpoints.</summary>
    public const int Every = 64;

    /// <summary>The agreement at <paramref name="at"/> (not now), or null when it did not exist then or <c>version</c> is beyond it.</summary>
    public async Task<Agreement?> FoldAsync(string id, PointInTime at, CancellationToken ct)
    {
        if (at.EffectiveOn is not null || at.Version is 0)
        {
            var all = await at.KnownEventsAsync(events, id, ct);
            return Within(at, all.Count == 0 ? 0 : all[^1].Version, at.Fold(all));
        }

        var checkpoint = await checkpoints.NearestAsync(id, at.AsOf, at.Version, ct);
        var read = checkpoint is null ? await at.KnownEventsAsync(events, id, ct) : await events.ReadFromAsync(id, checkpoint.Version, at.AsOf, at.Version, ct);
        if (checkpoint is not null && (read.Count == 0 || read[0].Version != checkpoint.Version || read[0].Hash != checkpoint.EventHash))
        {
            // Kept for another history than the one stored: fold from the first event (and keep again).
            checkpoint = null;
            read = await at.KnownEventsAsync(events, id, ct);
        }

        var start = checkpoint?.State ?? VersionState.Empty;
        var (state, kept, folded) = FoldOn(start, checkpoint is null ? read : read.Skip(1));
        Agreement? agreement;
        long newest;
        if (folded)
        {
            agreement = state.Version == 0 ? null : state.ToAgreement();
            newest = state.Version;
            var last = kept.Count > 0 ? kept[^1] : start;
            if (state.Version - last.Version >= Math.Max(Every, last.Items / 64))
            {
                kept.Add(state);
            }
        }
        else
        {
            var known = checkpoint is null ? read : await at.KnownEventsAsync(events, id, ct);
            agreement = at.Fold(known);
            newest = known.Count == 0 ? 0 : known[^1].Version;
            // Only when the fold was long: a short history is folded faster than a checkpoint is kept.
            if (agreement is not null && known.Count >= Every)
            {
                kept.Add(VersionState.Of(agreement));
            }
        }

        await checkpoints.KeepAsync(id, kept, ct);
        return Within(at, newest, agreement);
    }

    /// <summary>
    /// Folds <paramref name="next"/> on from <paramref name="start"/>: the state reached, the states due for
    /// keeping on the way, and whether every event could be folded on (false at the first that could not).
    /// </summary>
    public static (VersionState State, List<VersionState> Due, bool Folded) FoldOn(VersionState start, IEnumerable<StoredEvent> next)
    {
        var state = start;
        var due = new List<VersionState>();
        var nextDue = DueAfter(start);
        foreach (var e in next)
        {
            if (state.Step(e) is not { } stepped)
            {
                return (state, due, false);
            }

            state = stepped;
            if (state.Version >= nextDue)
            {
                due.Add(state);
                nextDue = DueAfter(state);
            }
        }

        return (state, due, true);
    }

    /// <summary>The version from which a checkpoint is due after one kept for <paramref name="state"/>.</summary>
    public static long DueAfter(VersionState state) => state.Version + Math.Max(Every, state.Items / 8);

    /// <summary>The agreement folded, or null when <c>version</c> asks for more than the <paramref name="newest"/> version known (404).</summary>
    private static Agreement? Within(PointInTime at, long newest, Agreement? agreement) =>
        at.Version is { } wanted && newest < wanted ? null : agreement;
}
