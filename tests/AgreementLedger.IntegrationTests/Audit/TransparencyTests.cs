using System.Text.Json;
using System.Text.RegularExpressions;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Merkle.Stored;
using AgreementLedger.Ledger.Signing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Audit;

[CollectionDefinition(Name)]
public sealed class TransparencyCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "transparency";
}

/// <summary>
/// The transparency routes (docs/api.md, "Transparency log"): signed checkpoints over the contract's body, inclusion and
/// consistency proofs that verify with <see cref="MerkleProofs"/>, and every status: 400, 404, 409 with Retry-After,
/// none of which changes anything.
/// </summary>
[Collection(TransparencyCollection.Name)]
public sealed partial class TransparencyTests(LedgerHost ledger)
{
    private T Service<T>() where T : notnull => ledger.Host.Services.GetRequiredService<T>();

    /// <summary>Some events, all of them in the tree: the tree's size and the events' positions in order.</summary>
    private async Task<List<long>> EventsInTheTreeAsync(int agreements = 2)
    {
        for (var i = 0; i < agreements; i++)
        {
            await ledger.Host.SignedAsync(Given.NewId("tlog"), "JP", "IT");
        }

        await Service<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var positions = new List<long>();
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select position from ledger.merkle_nodes where level = 0 order by index", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            positions.Add(reader.GetInt64(0));
        }

        return positions;
    }

    private static byte[] Bytes(JsonElement hex) => Convert.FromHexString(hex.GetString()!);

    private static List<byte[]> Hashes(JsonElement array) => array.EnumerateArray().Select(Bytes).ToList();

    [Fact]
    public async Task a_checkpoint_is_signed_over_the_contract_s_body_and_names_its_last_position()
    {
        var positions = await EventsInTheTreeAsync();
        var size = positions.Count;

        var checkpoint = await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={size}");

        var keyId = Es256.KeyIdOf(TestAuditKey.Key.ExportSubjectPublicKeyInfo());
        Assert.Equal("agreement-ledger/" + keyId, checkpoint["origin"].GetString());
        Assert.Equal(size, checkpoint["treeSize"].GetInt64());
        Assert.Equal(positions[^1], checkpoint["position"].GetInt64());
        Assert.Equal(keyId, checkpoint["keyId"].GetString());
        Assert.Matches(Rfc3339Seconds(), checkpoint["timestamp"].GetString());
        Assert.Empty(checkpoint["cosignatures"].EnumerateArray());
        var body = CheckpointMessages.Body(checkpoint["origin"].GetString()!, size, Bytes(checkpoint["rootHash"]));
        Assert.True(Es256.Verify(TestAuditKey.Key.ExportSubjectPublicKeyInfo(), body, checkpoint["signature"].GetString()!));
        Assert.Equal(checkpoint["rootHash"].GetString(), (await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={size}"))["rootHash"].GetString());
    }

    [Fact]
    public async Task another_log_s_kept_checkpoints_neither_stop_this_one_publishing_nor_fail_its_verify()
    {
        // A log ended before a new key or name (docs/operations.md, "start a new log") left a larger size behind.
        await ledger.ExecuteAsync(
            "insert into ledger.audit_checkpoints (origin, tree_size, root_hash, position, key_id, signature, signed_at) " +
            "values ('an-ended-log/0000000000000000', 1000000, repeat('ab', 32), 1000000, '0000000000000000', 'AAAA', now())");
        try
        {
            var positions = await EventsInTheTreeAsync();
            var log = Service<CheckpointLog>();
            Assert.NotEqual(1000000L, await log.NewestKeptSizeAsync(CancellationToken.None));

            var published = await log.PublishAsync(CancellationToken.None);
            Assert.True(published.TreeSize >= positions.Count);
            Assert.Equal(published.TreeSize, (await ledger.Host.GetAsync("/audit/checkpoint"))["treeSize"].GetInt64());
            var report = await ledger.Host.GetAsync("/audit/verify");
            Assert.DoesNotContain(report["failures"].EnumerateArray(), f => f.GetProperty("reason").GetString()!.Contains("1000000", StringComparison.Ordinal));
        }
        finally
        {
            await ledger.ExecuteAsync("delete from ledger.audit_checkpoints where origin = 'an-ended-log/0000000000000000'");
        }
    }

    [Fact]
    public async Task the_empty_tree_s_checkpoint_has_the_empty_root_and_position_0()
    {
        var checkpoint = await ledger.Host.GetAsync("/audit/checkpoint?treeSize=0");

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", checkpoint["rootHash"].GetString());
        Assert.Equal(0, checkpoint["position"].GetInt64());
    }

    [Fact]
    public async Task the_newest_checkpoint_served_is_a_newer_one_kept_since_the_last_answer_with_its_own_cosignatures()
    {
        // The route reads the root and cosignatures of the size it served last beside the newest row: once a newer one
        // is kept, those reads are of the wrong size and must not be served.
        await EventsInTheTreeAsync(1);
        var log = Service<CheckpointLog>();
        var older = await log.PublishAsync(CancellationToken.None);
        Assert.Equal(older.TreeSize, (await ledger.Host.GetAsync("/audit/checkpoint"))["treeSize"].GetInt64());
        Assert.Equal(older.TreeSize, (await ledger.Host.GetAsync("/audit/checkpoint"))["treeSize"].GetInt64());

        await EventsInTheTreeAsync(1);
        var cosigned = new Cosignature("witness.example/newer", "0123456789abcdef", older.Timestamp, "c2lnbmVk");
        var newer = await log.PublishAsync(await log.SignNowAsync(CancellationToken.None), [cosigned], CancellationToken.None);
        Assert.True(newer.TreeSize > older.TreeSize);

        var newest = await ledger.Host.GetAsync("/audit/checkpoint");
        Assert.Equal(newer.TreeSize, newest["treeSize"].GetInt64());
        Assert.Equal(newer.RootHash, newest["rootHash"].GetString());
        Assert.Equal(newer.Signature, newest["signature"].GetString());
        Assert.Equal(["witness.example/newer"], newest["cosignatures"].EnumerateArray().Select(c => c.GetProperty("witness").GetString()));
        Assert.Equal(newer.TreeSize, (await ledger.Host.GetAsync("/audit/checkpoint"))["treeSize"].GetInt64());
    }

    [Fact]
    public async Task the_empty_tree_s_checkpoint_kept_as_the_newest_is_served_again_and_again()
    {
        // A node that publishes before the first event keeps a checkpoint of size 0; the size served last is then 0,
        // which once read as "none served yet" and failed the next request with a 500 (CI, seventh session). A log of
        // its own origin starts its sizes afresh, so its newest kept checkpoint can be the empty tree's here too.
        var log = ActivatorUtilities.CreateInstance<CheckpointLog>(ledger.Host.Services, new LogOrigin("agreement-ledger.test/empty-" + Guid.NewGuid().ToString("N")));
        var empty = await log.PublishAsync(await log.AtSizeAsync(0, CancellationToken.None), [], CancellationToken.None);
        Assert.Equal(0, empty.TreeSize);

        for (var i = 0; i < 3; i++)
        {
            var newest = await log.NewestAsync(CancellationToken.None);
            Assert.Equal(0, newest.TreeSize);
            Assert.Equal(empty.Signature, newest.Signature);
        }
    }

    [Fact]
    public async Task the_newest_published_checkpoint_is_served_as_kept_and_defaults_the_inclusion_proofs()
    {
        var positions = await EventsInTheTreeAsync();
        var published = await Service<CheckpointLog>().PublishAsync(CancellationToken.None);
        Assert.True(published.TreeSize >= positions.Count);

        var newest = await ledger.Host.GetAsync("/audit/checkpoint");
        Assert.Equal(published.TreeSize, newest["treeSize"].GetInt64());
        Assert.Equal(published.Signature, newest["signature"].GetString());
        Assert.Equal(published.Timestamp, newest["timestamp"].GetString());

        var proof = await ledger.Host.GetAsync($"/audit/proofs/inclusion?position={positions[0]}");
        Assert.Equal(published.TreeSize, proof["treeSize"].GetInt64());
        Assert.Equal(published.RootHash, proof["rootHash"].GetString());

        // An event in the tree but not yet in the newest published checkpoint is not yet provable by default.
        await ledger.Host.ProposedAsync(Given.NewId("later"), "JP");
        await Service<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var later = (await EventsInTheTreeAsync(0))[^1];
        if ((await Service<CheckpointLog>().NewestKeptSizeAsync(CancellationToken.None)) == published.TreeSize)
        {
            var notYet = await ledger.Host.GetAsync($"/audit/proofs/inclusion?position={later}", 409);
            Assert.Equal("1", notYet.Headers["Retry-After"]);
            Assert.Equal("/problems/lifecycle-conflict", notYet.ProblemType);
        }
    }

    [Fact]
    public async Task every_event_s_inclusion_proof_verifies_against_the_checkpoint_of_its_size()
    {
        var positions = await EventsInTheTreeAsync();
        var size = positions.Count;
        var root = Bytes((await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={size}"))["rootHash"]);

        for (var leaf = 0; leaf < size; leaf++)
        {
            var proof = await ledger.Host.GetAsync($"/audit/proofs/inclusion?position={positions[leaf]}&treeSize={size}");
            Assert.Equal(positions[leaf], proof["position"].GetInt64());
            Assert.Equal(leaf, proof["leafIndex"].GetInt64());
            Assert.Equal(size, proof["treeSize"].GetInt64());
            Assert.Equal(Convert.ToHexStringLower(root), proof["rootHash"].GetString());
            Assert.True(MerkleProofs.VerifyInclusion(leaf, size, Bytes(proof["leafHash"]), Hashes(proof["auditPath"]), root), $"leaf {leaf} of {size}");
        }
    }

    [Fact]
    public async Task a_leaf_hash_is_sha256_of_0x00_and_the_event_s_hash()
    {
        var positions = await EventsInTheTreeAsync(1);
        var hash = await ledger.ScalarAsync<string>("select headers ->> 'hash' from ledger.mt_events where seq_id = $1", positions[0]);

        var proof = await ledger.Host.GetAsync($"/audit/proofs/inclusion?position={positions[0]}&treeSize={positions.Count}");

        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([0x00, .. Convert.FromHexString(hash)])),
            proof["leafHash"].GetString());
    }

    [Fact]
    public async Task every_consistency_proof_verifies_between_the_checkpoints_of_its_sizes()
    {
        var size = (await EventsInTheTreeAsync()).Count;
        var roots = new List<byte[]>();
        for (var n = 0; n <= size; n++)
        {
            roots.Add(Bytes((await ledger.Host.GetAsync($"/audit/checkpoint?treeSize={n}"))["rootHash"]));
        }

        for (var from = 0; from <= size; from += Math.Max(1, size / 7))
        {
            for (var to = from; to <= size; to++)
            {
                var proof = await ledger.Host.GetAsync($"/audit/proofs/consistency?from={from}&to={to}");
                Assert.Equal(Convert.ToHexStringLower(roots[from]), proof["fromRootHash"].GetString());
                Assert.Equal(Convert.ToHexStringLower(roots[to]), proof["toRootHash"].GetString());
                Assert.True(MerkleProofs.VerifyConsistency(from, to, roots[from], roots[to], Hashes(proof["proof"])), $"{from} to {to}");
                if (from == 0 || from == to)
                {
                    Assert.Empty(proof["proof"].EnumerateArray());
                }
            }
        }
    }

    [Fact]
    public async Task bad_sizes_and_positions_are_400_unknown_positions_404_and_trees_not_there_yet_409_and_none_changes_anything()
    {
        var positions = await EventsInTheTreeAsync(1);
        var size = positions.Count;
        // Published now, so the periodic publisher has nothing to add while the requests run.
        await Service<CheckpointLog>().PublishAsync(CancellationToken.None);
        var before = await StateAsync();

        foreach (var url in new[]
        {
            "/audit/checkpoint?treeSize=-1", "/audit/checkpoint?treeSize=abc", "/audit/checkpoint?treeSize=1.5",
            "/audit/checkpoint?treeSize=9223372036854775808", "/audit/checkpoint?treeSize=1%00", "/audit/checkpoint?treeSize=%EF%BC%91",
            "/audit/proofs/inclusion", $"/audit/proofs/inclusion?position=x", $"/audit/proofs/inclusion?position={positions[0]}&treeSize=-3",
            $"/audit/proofs/inclusion?position={positions[^1]}&treeSize={size - 1}", $"/audit/proofs/inclusion?position={positions[0]}&treeSize=0",
            "/audit/proofs/consistency", "/audit/proofs/consistency?from=1", "/audit/proofs/consistency?to=1",
            "/audit/proofs/consistency?from=-1&to=2", $"/audit/proofs/consistency?from=2&to=1",
        })
        {
            var answer = await ledger.Host.GetAsync(url, 400);
            Assert.Equal("/problems/validation", answer.ProblemType);
        }

        foreach (var url in new[] { "/audit/proofs/inclusion?position=0", $"/audit/proofs/inclusion?position={positions[^1] + 1_000_000}" })
        {
            Assert.Equal("/problems/not-found", (await ledger.Host.GetAsync(url, 404)).ProblemType);
        }

        foreach (var url in new[]
        {
            $"/audit/checkpoint?treeSize={size + 1_000_000}", $"/audit/checkpoint?treeSize={long.MaxValue}", $"/audit/proofs/inclusion?position={positions[0]}&treeSize={size + 1_000_000}",
            $"/audit/proofs/consistency?from=0&to={size + 1_000_000}", $"/audit/proofs/consistency?from={size + 1_000_000}&to={size + 1_000_000}",
        })
        {
            var answer = await ledger.Host.GetAsync(url, 409);
            Assert.Equal("/problems/lifecycle-conflict", answer.ProblemType);
            Assert.Equal("1", answer.Headers["Retry-After"]);
        }

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task the_routes_are_for_auditors()
    {
        foreach (var url in new[] { "/audit/checkpoint", "/audit/proofs/inclusion?position=1", "/audit/proofs/consistency?from=0&to=0" })
        {
            await ledger.Host.GetAsync(url, 403, TestTokens.For("a-recorder", AgreementLedger.Infrastructure.Auth.Roles.Recorder));
            await ledger.Host.GetAsync(url, 200, TestTokens.For("an-auditor", AgreementLedger.Infrastructure.Auth.Roles.Auditor));
        }
    }

    [Fact]
    public async Task a_checkpoint_reads_a_logarithmic_number_of_stored_nodes()
    {
        var size = (await EventsInTheTreeAsync()).Count;
        var log = Service<CheckpointLog>();
        for (var n = 1; n <= size; n++)
        {
            var root = await log.RootAsync(n, CancellationToken.None);
            Assert.True(root.NodesRead <= Math.Ceiling(Math.Log2(n)) + 2, $"{root.NodesRead} nodes read for the root of {n}");
        }
    }

    /// <summary>The kept checkpoints and the tree's nodes, to show a refused request changed neither.</summary>
    private async Task<(long Checkpoints, long Nodes)> StateAsync() =>
        (await ledger.ScalarAsync<long>("select count(*) from ledger.audit_checkpoints"),
         await ledger.ScalarAsync<long>("select count(*) from ledger.merkle_nodes"));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex Rfc3339Seconds();
}
