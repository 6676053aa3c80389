using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger.Merkle.Stored;

namespace AgreementLedger.IntegrationTests.Subscriptions;

/// <summary>A host with the Merkle tree switched off (<c>Ledger:Audit:TreeEnabled=false</c>, for benchmarks only).</summary>
public sealed class TreeOffLedgerHost : LedgerHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Audit:TreeEnabled"] = "false",
    };
}

[CollectionDefinition(Name)]
public sealed class TreeOffCollection : ICollectionFixture<TreeOffLedgerHost>
{
    public const string Name = "tree-off";
}

/// <summary>
/// The benchmarks' switch (what the tree costs is measured against the service without it): switched off, nothing
/// extends the tree, and the feed serves events up to the safe position as before the tree, with no leaf. With the
/// tree on (every other test) the feed serves only what is in the tree (<see cref="FeedLeafIndexTests"/>).
/// </summary>
[Collection(TreeOffCollection.Name)]
public sealed class FeedWithoutTreeTests(TreeOffLedgerHost ledger)
{
    [Fact]
    public async Task the_feed_serves_committed_events_with_no_leaf_and_the_tree_stays_empty()
    {
        // Each write is read back at once, within the few milliseconds a safe position found is shared for:
        // the feed serves it all the same (it looks again when there are events past the position it shares).
        for (var i = 0; i < 3; i++)
        {
            var before = (await ledger.Host.GetAsync("/events?limit=1000"))["next"].GetInt64();
            var id = Given.NewId("untreed");
            await ledger.Host.ProposedAsync(id, "JP", "GB");
            var position = await ledger.ScalarAsync<long>("select max(seq_id) from ledger.mt_events where stream_id = $1", id);

            var page = await ledger.Host.GetAsync($"/events?after={before}");
            var e = Assert.Single(page["events"].EnumerateArray(), item => item.GetProperty("agreementId").GetString() == id);
            Assert.Equal(position, e.GetProperty("position").GetInt64());
            Assert.Equal(MerkleExtender.NoLeaf, e.GetProperty("leafIndex").GetInt64());
        }

        // The keeper's interval is 100 ms: several turns later the tree still holds nothing.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, await ledger.ScalarAsync<long>("select count(*) from ledger.merkle_nodes"));
    }
}
