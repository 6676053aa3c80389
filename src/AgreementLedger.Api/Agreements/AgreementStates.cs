using System.Collections.Concurrent;

namespace AgreementLedger.Agreements;

/// <summary>
/// The state of the agreements this node wrote to last, as each of its commits left it (and, from start-up, as
/// <see cref="AgreementStatesWarmUp"/> read those written last): a command on one of them decides without reading
/// it, and commits in one round trip (<see cref="Ledger.LedgerAppend"/>). It is only ever a guess: the commit checks
/// the stream's version, so a state another node (or an import, a repair) moved past is found out there, forgotten,
/// and read again. Kept in two generations of <see cref="Capacity"/> agreements each: when the younger fills up it
/// becomes the older and the older is dropped, so the states of the last <see cref="Capacity"/> agreements used are
/// always kept (even when they are used in turn, the worst case of a least-recently-used list), and never more than
/// twice as many.
/// </summary>
public sealed class AgreementStates(int capacity)
{
    public const string Setting = "Ledger:Commands:CachedAgreements";
    public const int DefaultCapacity = 10_000;

    private Generation _young = new();
    private Generation _old = new();
    private readonly Lock _turning = new();

    /// <summary>How many of the agreements used last are always kept (0: none).</summary>
    public int Capacity { get; } = capacity;

    /// <summary>How many states are kept now (a state used again in the younger generation counts twice): at most twice <see cref="Capacity"/>.</summary>
    public int Count => _young.States.Count + _old.States.Count;

    /// <summary>The state this node last committed for <paramref name="id"/>, if it still has it.</summary>
    public bool TryGet(string id, out Agreement agreement)
    {
        if (_young.States.TryGetValue(id, out agreement!))
        {
            return true;
        }

        if (_old.States.TryGetValue(id, out agreement!))
        {
            Keep(id, agreement);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="agreement"/> as the state of its id after a commit.</summary>
    public void Keep(string id, Agreement agreement)
    {
        if (Capacity == 0)
        {
            return;
        }

        var young = _young;
        if (young.States.TryAdd(id, agreement))
        {
            // Counted here, not with ConcurrentDictionary.Count, which takes every one of its locks on each call.
            if (Interlocked.Increment(ref young.Added) >= Capacity)
            {
                Turn(young);
            }
        }
        else
        {
            young.States[id] = agreement;
        }
    }

    /// <summary>
    /// Keeps <paramref name="agreement"/> unless a state of its id is kept already (one a commit kept is newer than
    /// one read before it); whether it was kept.
    /// </summary>
    public bool KeepIfAbsent(string id, Agreement agreement)
    {
        if (Capacity == 0 || _young.States.ContainsKey(id) || _old.States.ContainsKey(id))
        {
            return false;
        }

        Keep(id, agreement);
        return true;
    }

    /// <summary>Forgets the state of <paramref name="id"/>: another writer moved its stream on.</summary>
    public void Forget(string id)
    {
        var young = _young;
        if (young.States.TryRemove(id, out _))
        {
            Interlocked.Decrement(ref young.Added);
        }

        _old.States.TryRemove(id, out _);
    }

    private void Turn(Generation full)
    {
        lock (_turning)
        {
            if (ReferenceEquals(_young, full))
            {
                _old = full;
                _young = new Generation();
            }
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, Agreement> States = new(StringComparer.Ordinal);

        /// <summary>How many ids it holds, counted as they are added and removed.</summary>
        public int Added;
    }
}
