using System.Collections.Concurrent;

namespace AgreementLedger.Agreements;

/// <summary>
/// The state of the agreements this node wrote to last, as each of its commits left it: a command on one of them
/// decides without reading it, and commits in one round trip (<see cref="Ledger.LedgerAppend"/>). It is only ever a
/// guess: the commit checks the stream's version, so a state another node (or an import, a repair) moved past is
/// found out there, forgotten, and read again. Kept in two generations of <see cref="Capacity"/> agreements each: when
/// the younger fills up it becomes the older and the older is dropped, so the states of the last <see cref="Capacity"/>
/// agreements used are always kept (even when they are used in turn, the worst case of a least-recently-used list),
/// and never more than twice as many.
/// </summary>
public sealed class AgreementStates(int capacity)
{
    public const string Setting = "Ledger:Commands:CachedAgreements";
    public const int DefaultCapacity = 10_000;

    private ConcurrentDictionary<string, Agreement> _young = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Agreement> _old = new(StringComparer.Ordinal);
    private readonly Lock _turning = new();

    /// <summary>How many of the agreements used last are always kept (0: none).</summary>
    public int Capacity { get; } = capacity;

    /// <summary>How many states are kept now (a state used again in the younger generation counts twice): at most twice <see cref="Capacity"/>.</summary>
    public int Count => _young.Count + _old.Count;

    /// <summary>The state this node last committed for <paramref name="id"/>, if it still has it.</summary>
    public bool TryGet(string id, out Agreement agreement)
    {
        if (_young.TryGetValue(id, out agreement!))
        {
            return true;
        }

        if (_old.TryGetValue(id, out agreement!))
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

        _young[id] = agreement;
        if (_young.Count >= Capacity)
        {
            lock (_turning)
            {
                if (_young.Count >= Capacity)
                {
                    _old = _young;
                    _young = new ConcurrentDictionary<string, Agreement>(StringComparer.Ordinal);
                }
            }
        }
    }

    /// <summary>Forgets the state of <paramref name="id"/>: another writer moved its stream on.</summary>
    public void Forget(string id)
    {
        _young.TryRemove(id, out _);
        _old.TryRemove(id, out _);
    }
}
