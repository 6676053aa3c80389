namespace AgreementLedger.Agreements.Rebuilding;

/// <summary>
/// <c>projections</c> is Marten's daemon command, registered by Marten itself. Two of its actions
/// would damage this ledger while the service runs, so they are routed before the command line is:
/// <list type="bullet">
/// <item><c>projections rebuild</c> of the snapshot: Marten's rebuild deletes every snapshot first and
/// writes them back page by page, so agreements answer 404 meanwhile, a command appended during it is
/// overwritten by an older fold, and a command that reads a stale snapshot would chain its event to
/// the wrong hash. It runs <c>rebuild-snapshots</c> instead: one consistent read, never overwriting a
/// newer snapshot.</item>
/// <item>running the daemon (<c>projections</c>, <c>projections run</c>) or rebuilding
/// <c>integration-events</c>: the relay is a subscription, not a view; a second daemon beside the
/// service's nodes, or a replay from zero, publishes integration events again, and downstream services
/// would count them twice.</item>
/// </list>
/// <c>projections list</c> goes to Marten unchanged.
/// </summary>
public static class ProjectionsCommandGuard
{
    public const string Snapshot = "Agreement";
    public const string Relay = "integration-events";

    /// <summary>The arguments to run (possibly rewritten), or why the command is refused.</summary>
    public static (string[]? Args, string? Refusal) Route(string[] args)
    {
        if (args is not ["projections", .. var rest])
        {
            return (args, null);
        }

        string? action = null, projection = null;
        var others = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] is "-p" or "--projection" && i + 1 < rest.Length)
            {
                projection = rest[++i];
            }
            else if (action is null && !rest[i].StartsWith('-'))
            {
                action = rest[i];
            }
            else
            {
                others.Add(rest[i]);
            }
        }

        switch (action)
        {
            case "list":
                return (args, null);
            case "rebuild" when projection is null or Snapshot:
                return ([RebuildSnapshotsCommand.Name, .. others], null);
            case "rebuild" when projection == Relay:
                return (null, $"'{Relay}' is a subscription, not a view: replaying it would publish every integration event again and downstream services would count them twice. A consumer that needs the history reads GET /events?after=0.");
            case "rebuild":
                return (null, $"No projection '{projection}'. This ledger has the snapshot '{Snapshot}' (rebuilt by 'projections rebuild' or 'rebuild-snapshots') and the subscription '{Relay}' (never replayed).");
            default:
                return (null, $"The service's own nodes run the '{Relay}' subscription, one node at a time with leadership in PostgreSQL; a separate daemon process beside them would publish integration events a second time. Add service nodes instead. ('projections list' and 'projections rebuild' are available.)");
        }
    }
}
