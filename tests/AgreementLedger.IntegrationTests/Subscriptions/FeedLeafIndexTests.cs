using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Subscriptions;

/// <summary>
/// The feed serves an event only once it is in the ledger's Merkle tree, and every item names its leaf: the
/// event's ordinal in position order (API.md, Transparency log).
/// </summary>
[Collection(FeedCollection.Name)]
public sealed class FeedLeafIndexTests(LedgerHost ledger)
{
    private T Service<T>() where T : notnull => ledger.Host.Services.GetRequiredService<T>();

    [Fact]
    public async Task every_item_names_its_leaf_the_ordinal_of_its_position()
    {
        for (var i = 0; i < 3; i++)
        {
            await ledger.Host.ProposedAsync(Given.NewId("leaf"), "JP", "GB");
        }

        await Service<MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var expected = await OrdinalsAsync();
        var served = new Dictionary<long, long>();
        long next = 0;
        while (true)
        {
            var page = await ledger.Host.GetAsync($"/events?after={next}&limit=2");
            foreach (var e in page["events"].EnumerateArray())
            {
                served[e.GetProperty("position").GetInt64()] = e.GetProperty("leafIndex").GetInt64();
            }

            if (page["next"].GetInt64() == next)
            {
                break;
            }

            next = page["next"].GetInt64();
        }

        Assert.NotEmpty(served);
        Assert.All(served, pair => Assert.Equal(expected[pair.Key], pair.Value));
    }

    [Fact]
    public async Task an_event_committed_but_not_yet_in_the_tree_is_not_served_until_it_is()
    {
        var before = (await Service<MerkleExtender>().CatchUpAsync(CancellationToken.None)).Position;

        // The tree held back: this connection holds the extension's advisory lock, as an extender mid-step does.
        await using var holder = new NpgsqlConnection(ledger.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("select pg_advisory_lock($1)", holder))
        {
            take.Parameters.AddWithValue(MerkleExtender.LockKey);
            await take.ExecuteNonQueryAsync();
        }

        long position;
        try
        {
            var id = Given.NewId("held");
            await ledger.Host.ProposedAsync(id, "JP");
            position = await ledger.ScalarAsync<long>("select max(seq_id) from ledger.mt_events where stream_id = $1", id);

            // Committed and safe (no writer below it), yet the tree has not taken it: not served, and next stays.
            Assert.True(await Service<SafePosition>().FindAsync(CancellationToken.None) >= position);
            var held = await ledger.Host.GetAsync($"/events?after={before}");
            Assert.Empty(held["events"].EnumerateArray());
            Assert.Equal(before, held["next"].GetInt64());
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock($1)", holder);
            release.Parameters.AddWithValue(MerkleExtender.LockKey);
            await release.ExecuteNonQueryAsync();
        }

        // The lock released, the feed (or the keeper) extends the tree, and the event is served with its leaf.
        var served = await ledger.Host.GetAsync($"/events?after={before}");
        var e = Assert.Single(served["events"].EnumerateArray());
        Assert.Equal(position, e.GetProperty("position").GetInt64());
        Assert.Equal((await OrdinalsAsync())[position], e.GetProperty("leafIndex").GetInt64());
    }

    /// <summary>Every event's ordinal in position order, counted by the database, not by the service.</summary>
    private async Task<Dictionary<long, long>> OrdinalsAsync()
    {
        var ordinals = new Dictionary<long, long>();
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select seq_id, row_number() over (order by seq_id) - 1 from ledger.mt_events", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ordinals[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return ordinals;
    }
}
