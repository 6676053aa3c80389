using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Audit;

[CollectionDefinition(Name)]
public sealed class TransparencyVerifyCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "transparency-verify";
}

/// <summary><c>GET /audit/verify</c> recomputes the tree and checks the kept checkpoints: a tampered node or a forged checkpoint is named.</summary>
[Collection(TransparencyVerifyCollection.Name)]
public sealed class TransparencyVerifyTests(LedgerHost ledger)
{
    private async Task<long> TreeWithACheckpointAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            await ledger.Host.SignedAsync(Given.NewId("tverify"), "JP", "GB");
        }

        var head = await ledger.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        await ledger.Host.Services.GetRequiredService<CheckpointLog>().PublishAsync(CancellationToken.None);
        return head.Size;
    }

    private static List<string> Reasons(Answer report) =>
        report["failures"].EnumerateArray().Select(f => f.GetProperty("reason").GetString()!).ToList();

    [Fact]
    public async Task the_stored_tree_verifies_until_a_node_is_rewritten_then_that_node_is_named()
    {
        var size = await TreeWithACheckpointAsync();
        // The other test of this class forges a checkpoint: nothing else may be wrong before the node is rewritten.
        var clean = await ledger.Host.GetAsync("/audit/verify");
        Assert.All(Reasons(clean), r => Assert.Contains("carries an invalid signature", r, StringComparison.Ordinal));

        await ledger.ExecuteAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = 1 and index = 1");
        var report = await ledger.Host.GetAsync("/audit/verify");

        Assert.False(report["verified"].GetBoolean());
        Assert.Contains(Reasons(report), r => r.Contains("node (level 1, index 1)", StringComparison.Ordinal));
        Assert.True(size >= 4);
    }

    [Fact]
    public async Task a_forged_kept_checkpoint_is_named()
    {
        var size = await TreeWithACheckpointAsync();
        await ledger.ExecuteAsync("update ledger.audit_checkpoints set signature = 'AAAA' || substr(signature, 5) where tree_size = $1", size);

        var report = await ledger.Host.GetAsync("/audit/verify");

        Assert.False(report["verified"].GetBoolean());
        Assert.Contains(Reasons(report), r => r.Contains($"the kept checkpoint of tree size {size} carries an invalid signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_stored_node_deleted_below_a_kept_checkpoint_answers_503_naming_the_damage_and_verify_names_it()
    {
        var size = await TreeWithACheckpointAsync();
        // The largest perfect subtree under the checkpoint: every root at that size is folded from it.
        var level = System.Numerics.BitOperations.Log2((ulong)size);
        await ledger.ExecuteAsync("create table ledger.merkle_nodes_kept as select * from ledger.merkle_nodes where level = $1 and index = 0", level);
        await ledger.ExecuteAsync("delete from ledger.merkle_nodes where level = $1 and index = 0", level);
        try
        {
            var answer = await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={size}", 503);
            Assert.Equal("/problems/unavailable", answer.ProblemType);
            Assert.Contains($"node (level {level}, index 0) is missing", answer["detail"].GetString()!, StringComparison.Ordinal);
            Assert.Equal("3600", answer.Headers["Retry-After"]);

            var report = await ledger.Host.GetAsync("/audit/verify");
            Assert.False(report["verified"].GetBoolean());
        }
        finally
        {
            await ledger.ExecuteAsync("insert into ledger.merkle_nodes select * from ledger.merkle_nodes_kept; drop table ledger.merkle_nodes_kept");
        }
    }
}
