using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
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

    [Theory]
    [InlineData(1, 1, "stored Merkle tree node (level 1, index 1) does not match the events it covers")]
    [InlineData(0, 2, "stored Merkle tree node (level 0, index 2) does not match the events it covers")]
    [InlineData(2, 0, "stored Merkle tree node (level 2, index 0) does not match the events it covers")]
    public async Task the_stored_tree_verifies_until_a_node_is_rewritten_then_that_node_is_named(int level, long index, string reason)
    {
        var size = await TreeWithACheckpointAsync();
        // The other tests of this class forge a checkpoint: nothing else may be wrong before the node is rewritten.
        var clean = await ledger.Host.GetAsync("/audit/verify");
        Assert.All(Reasons(clean), r => Assert.Contains("carries an invalid signature", r, StringComparison.Ordinal));

        await ledger.ExecuteAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = $1 and index = $2", level, index);
        try
        {
            var report = await ledger.Host.GetAsync("/audit/verify");

            Assert.False(report["verified"].GetBoolean());
            // Named alone: every node above it differs only because of it.
            Assert.Single(Reasons(report), r => r.Contains("Merkle tree", StringComparison.Ordinal));
            Assert.Contains(Reasons(report), r => r.Contains(reason, StringComparison.Ordinal));
            Assert.True(size >= 4);
        }
        finally
        {
            // Put back (the hash is recomputed from the node's children, or from the leaf's event), for the other tests.
            await new DatabaseWriter(ledger.ConnectionString).RewriteTreeAsync(size);
        }
    }

    [Fact]
    public async Task the_tree_checks_alike_read_in_spans_of_three_leaves_or_whole_and_a_rewritten_node_is_named_across_spans()
    {
        var size = await TreeWithACheckpointAsync();
        var store = ledger.Host.Services.GetRequiredService<MerkleStore>();
        var events = ledger.Host.Services.GetRequiredService<StoredEventReader>();
        async Task<TreeCheckResult> CheckAsync(int spanLeaves)
        {
            await using var pass = await new MerkleTreeCheck(store, spanLeaves).BeginAsync(new HashSet<long> { size }, CancellationToken.None);
            await foreach (var row in events.ReadAsync(new EventQuery { WithData = false }, CancellationToken.None))
            {
                await pass.AppendAsync(row.Position, MerkleLeaf.OfEvent(row.Hash));
            }

            return pass.Finish();
        }

        Assert.True(size >= 8);
        var whole = await CheckAsync(MerkleTreePass.SpanLeaves);
        var spans = await CheckAsync(3);
        Assert.Empty(whole.Mismatches);
        Assert.Empty(spans.Mismatches);
        Assert.Equal(whole.Roots[size], spans.Roots[size]);
        Assert.Equal(MerkleHash.Size, spans.Roots[size].Length);

        // Node (2, 1) covers leaves 4 to 7: its last leaf is in the third span of three.
        await ledger.ExecuteAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = 2 and index = 1");
        try
        {
            var mismatch = Assert.Single((await CheckAsync(3)).Mismatches);
            Assert.Contains("stored Merkle tree node (level 2, index 1) does not match the events it covers", mismatch.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await new DatabaseWriter(ledger.ConnectionString).RewriteTreeAsync(size);
        }
    }

    /// <summary>
    /// Past 1,024 events the verify takes whole batches of 512 events as perfect subtrees hashed ahead: a node
    /// rewritten inside such a batch (a leaf, an interior node, the batch's own root) or above it (joining two
    /// batches) is named as leaf by leaf would name it.
    /// </summary>
    [Theory]
    [InlineData(0, 700)]
    [InlineData(3, 70)]
    [InlineData(9, 1)]
    [InlineData(10, 0)]
    public async Task past_a_thousand_events_a_node_rewritten_inside_or_above_a_batch_is_named(int level, long index)
    {
        var size = await ledger.ScalarAsync<long>("select count(*) from ledger.mt_events");
        if (size < 1100)
        {
            var id = Given.NewId("tbatch");
            var day = new DateOnly(2024, 1, 10);
            await ledger.Host.Services.GetRequiredService<BulkImporter>().ImportAsync(
            [
                new AgreementHistory(id,
                [
                    new AgreementProposed(id, "Batches of " + id, "partnership", ["JP", "GB"], ["defence-industry"], null, day, []),
                    .. Enumerable.Range(0, 1100).Select(i => (IAgreementEvent)new SourceCited("Reuters", $"https://example.org/batch/{i}", day, null, day)),
                ]),
            ], "importer", CancellationToken.None);
        }

        size = await TreeWithACheckpointAsync();
        Assert.True(size > 1024);
        var clean = await ledger.Host.GetAsync("/audit/verify");
        Assert.All(Reasons(clean), r => Assert.Contains("carries an invalid signature", r, StringComparison.Ordinal));

        var original = await ledger.ScalarAsync<byte[]>("select hash from ledger.merkle_nodes where level = $1 and index = $2", level, index);
        await ledger.ExecuteAsync("update ledger.merkle_nodes set hash = sha256(hash) where level = $1 and index = $2", level, index);
        try
        {
            var report = await ledger.Host.GetAsync("/audit/verify");

            Assert.False(report["verified"].GetBoolean());
            var named = Assert.Single(Reasons(report), r => r.Contains("Merkle tree", StringComparison.Ordinal));
            Assert.Contains($"stored Merkle tree node (level {level}, index {index}) does not match the events it covers", named, StringComparison.Ordinal);
            // At the event that completed the node: the last leaf under it.
            var last = await ledger.ScalarAsync<long>("select position from ledger.merkle_nodes where level = 0 and index = $1", ((index + 1) << level) - 1);
            Assert.Contains($"up to position {last}", named, StringComparison.Ordinal);
        }
        finally
        {
            await ledger.ExecuteAsync("update ledger.merkle_nodes set hash = $1 where level = $2 and index = $3", original, level, index);
        }
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
            Assert.Contains(Reasons(report), r => r.Contains($"the stored Merkle tree lacks node (level {level}, index 0): it was deleted", StringComparison.Ordinal));
        }
        finally
        {
            await ledger.ExecuteAsync("insert into ledger.merkle_nodes select * from ledger.merkle_nodes_kept; drop table ledger.merkle_nodes_kept");
        }
    }
}
