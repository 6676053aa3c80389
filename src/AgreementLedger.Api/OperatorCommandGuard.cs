using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.Subscriptions.Integration;
using JasperFx.CommandLine.Parsing;

namespace AgreementLedger;

/// <summary>
/// Marten, Wolverine and JasperFx register operator commands of their own, and some of them would
/// damage this ledger. They are routed before the command line is run:
/// <list type="bullet">
/// <item>refused: <c>marten --reset</c> (deletes every event), <c>marten --advance</c> (moves the high
/// water mark past gaps by force: the relay could skip events still committing),
/// <c>resources clear|teardown</c> (deletes or drops the ledger's tables) and
/// <c>storage clear|rebuild</c> (throws away Wolverine's outbox: integration events not yet sent
/// would never be).</item>
/// </list>
/// <c>projections</c> is Marten's daemon command. Two of its actions would damage this ledger while
/// the service runs:
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
public static class OperatorCommandGuard
{
    private const string Snapshot = nameof(Agreement);
    private const string Relay = IntegrationEventRelay.RelayName;

    /// <summary>The arguments to run (possibly rewritten), or why the command is refused.</summary>
    public static (string[]? Args, string? Refusal) Route(string[] args)
    {
        // Judged on the arguments as JasperFx will read them: command names and long flags without
        // regard to case, "-ra" as "-r -a", "--flag=value" as "--flag value".
        var tokens = ArgPreprocessor.Process(args).Select(t => t.ToLowerInvariant()).ToArray();
        var action = tokens.Length > 1 ? tokens[1] : null;
        switch (tokens)
        {
            case ["marten", .. var options] when options.Any(o => o is "-r" or "--reset"):
                return (null, "marten --reset deletes every event of the ledger; it is not available in this service. (A development ledger is reset by deleting its embedded cluster's folder.)");
            case ["marten", .. var options] when options.Any(o => o is "-a" or "--advance"):
                return (null, "marten --advance moves the high water mark past gaps by force: the integration-events relay could skip events that are still committing. Gaps are waited for, never skipped.");
            case ["resources", ..] when action is "clear" or "teardown":
                return (null, $"resources {action} would delete or drop the ledger's tables; it is not available in this service.");
            case ["storage", ..] when action is "clear" or "rebuild":
                return (null, $"storage {action} throws away Wolverine's outbox: integration events not yet sent would never be. Not available in this service.");
            case ["projections", ..]:
                return RouteProjections(args, [.. ArgPreprocessor.Process(args).Skip(1)]);
            default:
                return (args, null);
        }
    }

    private static (string[]? Args, string? Refusal) RouteProjections(string[] args, string[] rest)
    {
        string? action = null, projection = null;
        var others = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i].ToLowerInvariant() is "-p" or "--projection" && i + 1 < rest.Length)
            {
                projection = rest[++i];
            }
            else if (action is null && !rest[i].StartsWith('-'))
            {
                action = rest[i].ToLowerInvariant();
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
            case "rebuild" when projection is null || projection.Equals(Snapshot, StringComparison.OrdinalIgnoreCase):
                return ([RebuildSnapshotsCommand.Name, .. others], null);
            case "rebuild" when projection.Equals(Relay, StringComparison.OrdinalIgnoreCase):
                return (null, $"'{Relay}' is a subscription, not a view: replaying it would publish every integration event again and downstream services would count them twice. A consumer that needs the history reads GET /events?after=0.");
            case "rebuild":
                return (null, $"No projection '{projection}'. This ledger has the snapshot '{Snapshot}' (rebuilt by 'projections rebuild' or 'rebuild-snapshots') and the subscription '{Relay}' (never replayed).");
            default:
                return (null, $"The service's own nodes run the '{Relay}' subscription, one node at a time with leadership in PostgreSQL; a separate daemon process beside them would publish integration events a second time. Add service nodes instead. ('projections list' and 'projections rebuild' are available.)");
        }
    }
}
