using AgreementLedger;

namespace AgreementLedger.Tests;

/// <summary>
/// The guard judges the arguments the way JasperFx reads them, so no spelling JasperFx accepts for a
/// destructive command gets past it. (CommandLineTests run the refusals as real processes.)
/// </summary>
public sealed class OperatorCommandGuardTests
{
    [Theory]
    [InlineData("deletes every event", "MARTEN", "--reset")]
    [InlineData("deletes every event", "marten", "--RESET")]
    [InlineData("deletes every event", "marten", "-vr")]
    [InlineData("deletes every event", "Marten", "--reset=true")]
    [InlineData("past gaps by force", "marten", "-av")]
    [InlineData("past gaps by force", "marten", "--Advance")]
    [InlineData("drop the ledger's tables", "Resources", "TEARDOWN")]
    [InlineData("Wolverine's outbox", "STORAGE", "Rebuild")]
    [InlineData("count them twice", "Projections", "REBUILD", "--projection=Integration-Events")]
    [InlineData("count them twice", "projections", "rebuild", "-P", "integration-events")]
    [InlineData("publish integration events a second time", "PROJECTIONS", "Run")]
    [InlineData("publish integration events a second time", "projections")]
    public void every_spelling_of_a_destructive_command_is_refused(string why, params string[] args)
    {
        var (run, refusal) = OperatorCommandGuard.Route(args);

        Assert.Null(run);
        Assert.Contains(why, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("projections", "rebuild")]
    [InlineData("PROJECTIONS", "Rebuild", "-p", "agreement")]
    [InlineData("projections", "rebuild", "--projection=Agreement")]
    public void every_spelling_of_a_snapshot_rebuild_runs_the_online_rebuild(params string[] args)
    {
        var (run, refusal) = OperatorCommandGuard.Route(args);

        Assert.Null(refusal);
        Assert.Equal(["rebuild-snapshots"], run!);
    }

    [Theory]
    [InlineData("projections", "list")]
    [InlineData("marten", "--help")]
    [InlineData("db-apply")]
    [InlineData("resources", "check")]
    [InlineData("storage", "counts")]
    [InlineData("seed", "--reset-is-not-a-flag-of-seed")]
    public void other_commands_run_unchanged(params string[] args)
    {
        var (run, refusal) = OperatorCommandGuard.Route(args);

        Assert.Null(refusal);
        Assert.Equal(args, run);
    }
}
