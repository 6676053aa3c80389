namespace AgreementLedger.Agreements;

/// <summary>
/// What a command decided about an agreement: the event to record (two for a correction), a member of its input that is
/// invalid against the agreement (400), or a history the lifecycle does not allow (409). Closed: the
/// three cases below are the only ones (a class with a private constructor: a record would expose a
/// protected copy constructor to subclasses), and each is built complete, so no decision holds both
/// an event and a refusal, or neither.
/// </summary>
public abstract class Decision
{
    private Decision()
    {
    }

    public static Decision Accept(IAgreementEvent @event) => new Accepted(@event);

    public static Decision Accept(EventRetracted retraction) => new Accepted(retraction);

    /// <summary>A correction: the retraction and its replacement, appended together in one transaction.</summary>
    public static Decision Accept(EventRetracted retraction, IAgreementEvent replacement) => new Accepted(retraction, replacement);

    /// <summary>A 400 naming <paramref name="member"/>: the input is wrong whatever the precondition says.</summary>
    public static Decision Invalid(string member, string reason) => new Refused(member, reason);

    /// <summary>A 409 with <paramref name="conflict"/> (its detail and members): judged after If-Match, as the contract orders it.</summary>
    public static Decision Conflict(LifecycleConflict conflict) => new Conflicting(conflict);

    /// <summary>
    /// The events to record, in order: one <see cref="IAgreementEvent"/> or <see cref="EventRetracted"/>, or a
    /// correction's retraction and replacement.
    /// </summary>
    public sealed class Accepted : Decision
    {
        internal Accepted(params object[] events)
        {
            ArgumentOutOfRangeException.ThrowIfZero(events.Length);
            foreach (var e in events)
            {
                ArgumentNullException.ThrowIfNull(e, nameof(events));
            }

            Events = events;
        }

        public IReadOnlyList<object> Events { get; }

        public override string ToString() => $"Accepted {string.Join(", ", Events.Select(EventTypeNames.Catalogue.NameOf))}";
    }

    /// <summary>The input member that is invalid against the agreement, and why.</summary>
    public sealed class Refused : Decision
    {
        internal Refused(string member, string reason)
        {
            ArgumentException.ThrowIfNullOrEmpty(member);
            ArgumentException.ThrowIfNullOrEmpty(reason);
            Member = member;
            Reason = reason;
        }

        public string Member { get; }

        public string Reason { get; }

        public override string ToString() => $"Invalid {Member}: {Reason}";
    }

    /// <summary>Why recording the event would leave a history the lifecycle does not allow.</summary>
    public sealed class Conflicting : Decision
    {
        internal Conflicting(LifecycleConflict conflict)
        {
            ArgumentException.ThrowIfNullOrEmpty(conflict.Detail);
            Members = conflict;
        }

        public LifecycleConflict Members { get; }

        public string Detail => Members.Detail;

        public override string ToString() => $"Conflict: {Detail}";
    }
}
