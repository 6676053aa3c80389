using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Ledger;

[CollectionDefinition(Name)]
public sealed class MerkleTreeCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "merkle-tree";
}

/// <summary>
/// The stored tree on real PostgreSQL: it equals the tree computed from scratch over the events in position
/// order, gaps in positions are not leaves, an open transaction holds the tree back until it ends, two extenders
/// at once build one tree, and a root or proof reads O(log n) nodes.
/// </summary>
[Collection(MerkleTreeCollection.Name)]
public sealed class MerkleTreeTests(LedgerHost ledger)
{
    private MerkleExtender Extender => ledger.Host.Services.GetRequiredService<MerkleExtender>();

    private MerkleStore Store => ledger.Host.Services.GetRequiredService<MerkleStore>();

    [Fact]
    public async Task the_stored_tree_is_the_tree_of_the_events_in_position_order()
    {
        for (var i = 0; i < 5; i++)
        {
            await ledger.Host.SignedAsync(Given.NewId("tree"), "JP", "GB");
        }

        await Extender.CatchUpAsync(CancellationToken.None);
        var (positions, leaves) = await EventLeavesAsync();
        var head = await Store.HeadAsync(null, null, CancellationToken.None);

        Assert.True(head.Size >= leaves.Count, $"tree of {head.Size} leaves, {leaves.Count} events");
        Assert.Equal(positions[leaves.Count - 1], (await Store.ReadAsync([], [leaves.Count - 1], null, null, CancellationToken.None)).PositionOf(leaves.Count - 1));
        var accumulator = new MerkleAccumulator();
        var expected = new Dictionary<MerkleNodeId, byte[]>();
        for (var size = 1; size <= leaves.Count; size++)
        {
            foreach (var node in accumulator.Append(leaves[size - 1]))
            {
                expected[node.Id] = node.Hash;
            }

            var read = await Store.ReadAsync([MerkleTree.Root(size)], [], null, null, CancellationToken.None);
            Assert.Equal(Convert.ToHexStringLower(accumulator.Root), Convert.ToHexStringLower(read.Hash(MerkleTree.Root(size))));
        }

        var stored = await ledger.ScalarAsync<long>(
            "select count(*) from ledger.merkle_nodes where ((index + 1) << level) <= $1", (long)leaves.Count);
        Assert.Equal(expected.Count, stored);
    }

    [Fact]
    public async Task a_rolled_back_transaction_leaves_a_gap_in_positions_that_is_not_a_leaf()
    {
        var before = await ledger.Host.ProposedAsync(Given.NewId("beforegap"), "JP");
        await using (var connection = new NpgsqlConnection(ledger.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = new NpgsqlCommand(CopyOfAnEvent, connection, transaction);
            await insert.ExecuteNonQueryAsync();
            await transaction.RollbackAsync();
        }

        await ledger.Host.ProposedAsync(Given.NewId("aftergap"), "JP");
        await Extender.CatchUpAsync(CancellationToken.None);

        var (positions, _) = await EventLeavesAsync();
        var gaps = positions.Zip(positions.Skip(1)).Count(pair => pair.Second != pair.First + 1);
        Assert.True(gaps >= 1, "the rolled-back transaction drew a position");
        for (var leaf = 0; leaf < positions.Count; leaf++)
        {
            Assert.Equal(leaf, await Store.LeafAtAsync(positions[leaf], CancellationToken.None));
        }

        var newest = positions[^1];
        for (var missing = 1L; missing < newest; missing++)
        {
            if (!positions.Contains(missing))
            {
                Assert.Null(await Store.LeafAtAsync(missing, CancellationToken.None));
            }
        }
    }

    [Fact]
    public async Task an_open_transaction_holds_the_tree_back_until_it_ends_then_its_event_takes_its_place()
    {
        await ledger.Host.ProposedAsync(Given.NewId("beforeopen"), "JP");
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(CopyOfAnEvent + " returning seq_id", connection, transaction))
        {
            var open = (long)(await insert.ExecuteScalarAsync())!;
            var after = Given.NewId("afteropen");
            var committed = Task.Run(() => ledger.Host.ProposedAsync(after, "JP"));
            await Task.Delay(300);
            var head = await Store.HeadAsync(null, null, CancellationToken.None);
            Assert.True(head.Position < open, $"the tree passed position {open} of a transaction still open (head at {head.Position})");

            await transaction.CommitAsync();
            await committed;
        }

        await Extender.CatchUpAsync(CancellationToken.None);
        var (positions, leaves) = await EventLeavesAsync();
        var read = await Store.ReadAsync([MerkleTree.Root(leaves.Count)], [], null, null, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(Root(leaves)), Convert.ToHexStringLower(read.Hash(MerkleTree.Root(leaves.Count))));
        Assert.Equal(positions.Count - 1, await Store.LeafAtAsync(positions[^1], CancellationToken.None));
    }

    [Fact]
    public async Task two_extenders_at_once_build_one_tree()
    {
        // A second node's extender: its own safe position and store, the same database.
        using var otherSafe = ActivatorUtilities.CreateInstance<SafePosition>(ledger.Host.Services);
        var other = ActivatorUtilities.CreateInstance<MerkleExtender>(ledger.Host.Services, otherSafe);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await ledger.Host.ProposedAsync(Given.NewId($"race{w}"), "JP");
            }
        })).ToList();
        var extenders = new[] { Extender, other, Extender, other }.Select(extender => Task.Run(async () =>
        {
            while (writers.Any(w => !w.IsCompleted))
            {
                await extender.ExtendAsync(CancellationToken.None);
            }
        })).ToList();
        await Task.WhenAll(writers.Concat(extenders));
        await other.CatchUpAsync(CancellationToken.None);
        await Extender.CatchUpAsync(CancellationToken.None);

        var (positions, leaves) = await EventLeavesAsync();
        Assert.Equal(positions.Count, await ledger.ScalarAsync<long>("select count(*) from ledger.merkle_nodes where level = 0"));
        var read = await Store.ReadAsync([MerkleTree.Root(leaves.Count)], [], null, null, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(Root(leaves)), Convert.ToHexStringLower(read.Hash(MerkleTree.Root(leaves.Count))));
    }

    [Fact]
    public async Task a_root_and_proofs_read_at_most_two_nodes_per_level_of_the_stored_tree()
    {
        for (var i = 0; i < 6; i++)
        {
            await ledger.Host.ProposedAsync(Given.NewId("reads"), "JP");
        }

        await Extender.CatchUpAsync(CancellationToken.None);
        var size = (await Store.HeadAsync(null, null, CancellationToken.None)).Size;
        var bound = (2 * Math.Ceiling(Math.Log2(size))) + 2;
        for (var leaf = 0L; leaf < size; leaf++)
        {
            var path = MerkleTree.InclusionPath(leaf, size);
            var read = await Store.ReadAsync([.. path, MerkleTree.Root(size)], [leaf], null, null, CancellationToken.None);
            Assert.True(read.Count <= bound, $"{read.Count} nodes read for leaf {leaf} of {size}");
            Assert.True(MerkleProofs.VerifyInclusion(
                leaf, size, read.Node(new MerkleNodeId(0, leaf)), path.Select(read.Hash).ToList(), read.Hash(MerkleTree.Root(size))));
        }

        for (var from = 0L; from <= size; from++)
        {
            var proof = MerkleTree.ConsistencyProof(from, size);
            var read = await Store.ReadAsync([.. proof, MerkleTree.Root(from), MerkleTree.Root(size)], [], null, null, CancellationToken.None);
            Assert.True(read.Count <= (2 * bound) + 1, $"{read.Count} nodes read for the proof from {from} to {size}");
            Assert.True(MerkleProofs.VerifyConsistency(
                from, size, read.Hash(MerkleTree.Root(from)), read.Hash(MerkleTree.Root(size)), proof.Select(read.Hash).ToList()));
        }
    }

    /// <summary>A copy of some event at a version of its own, as a second writer's transaction would insert it.</summary>
    private const string CopyOfAnEvent =
        "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name) " +
        "select nextval('ledger.mt_events_sequence'), gen_random_uuid(), stream_id, 1000 + (random() * 1000000)::int, data, type, timestamp, tenant_id, mt_dotnet_type, headers, user_name " +
        "from ledger.mt_events order by seq_id limit 1";

    private static byte[] Root(IEnumerable<byte[]> leaves)
    {
        var accumulator = new MerkleAccumulator();
        foreach (var leaf in leaves)
        {
            accumulator.Append(leaf);
        }

        return accumulator.Root;
    }

    /// <summary>Every event's position and leaf hash, in position order, straight from the event table.</summary>
    private async Task<(List<long> Positions, List<byte[]> Leaves)> EventLeavesAsync()
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select seq_id, headers ->> 'hash' from ledger.mt_events order by seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var (positions, leaves) = (new List<long>(), new List<byte[]>());
        while (await reader.ReadAsync())
        {
            positions.Add(reader.GetInt64(0));
            leaves.Add(MerkleHash.Leaf(Convert.FromHexString(reader.GetString(1))));
        }

        return (positions, leaves);
    }
}
