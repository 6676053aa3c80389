using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using AgreementLedger.Ledger.Merkle.Stored;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Ledger;

/// <summary>
/// What the kernel's one reader costs PostgreSQL: a page far into the ledger reads the tree's leaves of its own rows
/// only, whatever the ledger's size. Counted from PostgreSQL's own statistics of the reading transaction.
/// </summary>
[Collection(MerkleTreeCollection.Name)]
public sealed class StoredEventReaderTests(LedgerHost ledger)
{
    private const int Page = 100;

    [Fact]
    public async Task a_page_at_the_head_looks_up_only_its_own_rows_leaves_not_every_leaf_before_them()
    {
        var id = Given.NewId("reader-page");
        var day = new DateOnly(2024, 1, 10);
        await ledger.Host.Services.GetRequiredService<BulkImporter>().ImportAsync(
        [
            new AgreementHistory(id,
            [
                new AgreementProposed(id, "Pages of " + id, "partnership", ["JP", "GB"], ["defence-industry"], null, day, []),
                .. Enumerable.Range(0, 5_000).Select(i => (IAgreementEvent)new SourceCited("Reuters", $"https://example.org/page/{i}", day, null, day)),
            ]),
        ], "importer", CancellationToken.None);
        var head = (await ledger.Host.Services.GetRequiredService<MerkleExtender>().CatchUpAsync(CancellationToken.None)).Position;
        // As autovacuum soon would: the planner sees both tables as they are.
        await ledger.ExecuteAsync("analyze ledger.mt_events, ledger.merkle_nodes");

        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var reader = ledger.Host.Services.GetRequiredService<StoredEventReader>();
        var rows = 0;
        // The feed's page at its head: the positions just below the tree's head, with their leaves.
        await foreach (var row in reader.ReadAsync(new EventQuery { AfterPosition = head - Page, UpToPosition = head, Limit = Page, WithLeafIndex = true }, connection, transaction, CancellationToken.None))
        {
            Assert.NotNull(row.LeafIndex);
            rows++;
        }

        await using var read = new NpgsqlCommand(
            "select pg_stat_get_xact_tuples_returned('ledger.merkle_nodes_position'::regclass)", connection, transaction);
        var leavesRead = (long)(await read.ExecuteScalarAsync())!;

        Assert.Equal(Page, rows);
        Assert.True(leavesRead <= 2 * Page, $"the page of {Page} read {leavesRead:N0} entries of the leaves' position index (the tree holds {head:N0} positions)");
    }
}
