using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.LocalPostgres;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// The service with the Merkle tree and without it (<c>Ledger:Audit:TreeEnabled=false</c>, the benchmark-only
/// switch), each on its own database holding the same agreements, for T2 and T3: the same published service, the
/// same commands, the tree the only difference. Rounds alternate the two, so drift on a shared machine falls on both.
/// </summary>
public sealed record TreeMode(string Name, bool Tree, string ConnectionString, SourceCitations Commands)
{
    public static async Task<TreeMode[]> PrepareAsync(LocalPostgresCluster cluster, string workload, int agreements)
    {
        var modes = new List<TreeMode>();
        foreach (var tree in new[] { true, false })
        {
            await using var setup = await BenchmarkLedger.StartAsync(cluster, $"{workload}-{(tree ? "tree" : "flat")}",
                new Dictionary<string, string> { ["Ledger:Integration:Enabled"] = "false" });
            var commands = await SourceCitations.ImportAsync(setup, "load", agreements);
            // The imported events in the tree before the first command, so no run starts with a backlog to extend.
            await setup.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None);
            modes.Add(new TreeMode(tree ? "with the tree" : "without the tree", tree, setup.ConnectionString, commands));
        }

        return [.. modes];
    }

    /// <summary>The published service on this mode's database, the tree switched off for the mode without it.</summary>
    public async Task<ServiceUnderLoad> StartAsync() =>
        await ServiceUnderLoad.StartAsync(ConnectionString, "/health/ready", await ServiceUnderLoad.PublishAsync(),
            settings: Tree ? null : new Dictionary<string, string> { ["Ledger__Audit__TreeEnabled"] = "false" });
}
