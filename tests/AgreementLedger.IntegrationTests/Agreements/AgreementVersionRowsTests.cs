using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Rebuilding;
using AgreementLedger.Agreements.Seeding;
using AgreementLedger.Agreements.Versions;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Agreements;

[CollectionDefinition(Name)]
public sealed class AgreementVersionsCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "agreement-versions";
}

/// <summary>
/// Who fills the version rows and the facets (the bulk import, the one-pass rebuild, the start-up backfill of a ledger stored
/// before them) and what an <c>asOf</c> page costs: rows of its own page, none for a filter that matches nothing.
/// </summary>
[Collection(AgreementVersionsCollection.Name)]
public sealed class AgreementVersionRowsTests(LedgerHost ledger) : IAsyncLifetime
{
    private const int Agreements = 400;

    private static readonly DateOnly Day = new(2024, 3, 1);

    private IServiceProvider Services => ledger.Host.Services;

    public async Task InitializeAsync()
    {
        if (await ledger.ScalarAsync<long>("select count(*) from ledger.mt_streams where id like 'rows-%'") > 0)
        {
            return;
        }

        // Six versions each: proposed, a round, terms agreed, two signatures, a source.
        var histories = Enumerable.Range(0, Agreements).Select(i => new AgreementHistory($"rows-{i:D4}",
        [
            new AgreementProposed($"rows-{i:D4}", "Rows " + i, i % 2 == 0 ? "treaty" : "forum", ["JP", "GB"], ["space"], null, Day, []),
            new NegotiationRoundHeld(Day.AddDays(1), null, [], null),
            new TermsAgreed(Day.AddDays(2), null),
            new PartySigned("JP", Day.AddDays(3), null, null),
            new PartySigned("GB", Day.AddDays(4), null, null),
            new SourceCited("Reuters", null, null, null, Day.AddDays(5)),
        ])).ToList();
        await Services.GetRequiredService<BulkImporter>().ImportAsync(histories, "importer", CancellationToken.None);
        await ledger.ExecuteAsync("analyze ledger.agreement_versions");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private KnownAgreements Fresh() => ActivatorUtilities.CreateInstance<KnownAgreements>(Services);

    private static readonly ListFilter[] Filters =
    [
        ListFilter.None, new("JP", null, null, null), new(null, AgreementStatus.Signed, "space", "treaty"), new("KP", null, null, null),
    ];

    /// <summary>The reads of a fresh reader (which asks whether the rows are filled) against the fold, at now and before the import.</summary>
    private async Task AssertReadsAgreeAsync()
    {
        var known = Fresh();
        foreach (var at in new[] { DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(-1) })
        {
            foreach (var filter in Filters)
            {
                var folded = (await known.FoldedAsync(at, filter, null, null, default)).Select(KnownAgreementsTests.Shown).ToList();
                var read = (await known.ReadAsync(at, filter, null, null, default)).Select(KnownAgreementsTests.Shown).ToList();
                Assert.Equal(folded, read);
            }
        }
    }

    [Fact]
    public async Task the_import_writes_the_newest_version_of_each_agreement_the_others_having_been_known_at_no_instant()
    {
        // The import stamps a whole history at one instant: versions 1 to 5 were never the newest known.
        Assert.Equal(Agreements, await ledger.ScalarAsync<long>("select count(*) from ledger.agreement_versions where agreement_id like 'rows-%'"));
        Assert.Equal(Agreements, await ledger.ScalarAsync<long>("select count(distinct agreement_id) from ledger.agreement_versions where agreement_id like 'rows-%'"));
        Assert.Equal(6L, await ledger.ScalarAsync<long>("select version from ledger.agreement_versions where agreement_id = 'rows-0007'"));
        await AssertReadsAgreeAsync();
    }

    [Fact]
    public async Task an_as_of_page_reads_the_rows_of_its_page_and_a_filter_that_matches_nothing_reads_none()
    {
        var known = Services.GetRequiredService<KnownAgreements>();
        var total = await ledger.ScalarAsync<long>("select count(*) from ledger.agreement_versions");
        var now = DateTimeOffset.UtcNow;

        var nothing = await RowsReadAsync(known.Query(now, new ListFilter("KP", null, null, null), null, 21));
        var noStatus = await RowsReadAsync(known.Query(now, new ListFilter(null, AgreementStatus.Withdrawn, null, null), null, 21));
        var noKind = await RowsReadAsync(known.Query(now, new ListFilter(null, null, null, "exercise"), null, 21));
        var noArea = await RowsReadAsync(known.Query(now, new ListFilter(null, null, "maritime-security", null), null, 21));
        var page = await RowsReadAsync(known.Query(now, ListFilter.None, "rows-0100", 21));
        var portfolio = await RowsReadAsync(known.Query(now, new ListFilter("JP", null, null, null), "rows-0200", 21));

        Assert.True(total >= Agreements, $"{total} rows");
        Assert.True(nothing <= 1, $"a filter matching nothing read {nothing} of {total} rows");
        Assert.True(noStatus + noKind + noArea <= 3, $"status, kind and area filters matching nothing read {noStatus}, {noKind} and {noArea} of {total} rows");
        // Each agreement of the page has six versions; the keyset starts at the cursor. A party's page reads
        // its facet rows and, by key, the version rows they name.
        Assert.True(page <= 21 * 6 + 6, $"a page of 21 read {page} of {total} rows");
        Assert.True(portfolio <= 2 * (21 * 6 + 6), $"a portfolio page of 21 read {portfolio} of {total} rows");
    }

    [Fact]
    public async Task rebuild_snapshots_writes_the_rows_again_from_the_fold()
    {
        await ledger.ExecuteAsync("update ledger.agreement_versions set title = 'wrong' where agreement_id in ('rows-0001', 'rows-0002')");
        await ledger.ExecuteAsync("delete from ledger.agreement_versions where agreement_id = 'rows-0003'");

        await Services.GetRequiredService<SnapshotRebuilder>().RebuildAsync(CancellationToken.None);

        Assert.Equal(0L, await ledger.ScalarAsync<long>("select count(*) from ledger.agreement_versions where title = 'wrong'"));
        Assert.Equal(6L, await ledger.ScalarAsync<long>("select max(version) from ledger.agreement_versions where agreement_id = 'rows-0003'"));
        await AssertReadsAgreeAsync();
    }

    [Fact]
    public async Task a_ledger_stored_before_the_rows_is_answered_from_the_fold_until_the_backfill_fills_them()
    {
        var backfill = Services.GetRequiredService<VersionRowsBackfill>();
        Assert.False(await backfill.FillIfNeededAsync(CancellationToken.None));

        // As stored before the rows existed: none, and not marked filled.
        await ledger.ExecuteAsync("delete from ledger.agreement_versions");
        await ledger.ExecuteAsync("delete from ledger.agreement_versions_filled");
        await AssertReadsAgreeAsync();
        Assert.False(await AgreementVersionRows.FilledAsync(Services.GetRequiredService<NpgsqlDataSource>(), LedgerSchema.Default, default));

        Assert.True(await backfill.FillIfNeededAsync(CancellationToken.None));

        Assert.True(await AgreementVersionRows.FilledAsync(Services.GetRequiredService<NpgsqlDataSource>(), LedgerSchema.Default, default));
        Assert.Equal(await ledger.ScalarAsync<long>("select count(*) from ledger.mt_streams"), await ledger.ScalarAsync<long>("select count(distinct agreement_id) from ledger.agreement_versions"));
        await AssertReadsAgreeAsync();
        Assert.False(await backfill.FillIfNeededAsync(CancellationToken.None));
    }

    /// <summary>
    /// Rows the query's plan read (EXPLAIN ANALYZE): what every scan returned or removed by its filter or
    /// recheck, times its loops. Rows never touched by the plan are never counted.
    /// </summary>
    private async Task<long> RowsReadAsync((string Sql, IReadOnlyList<object> Values) query)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand("explain (analyze, format json) " + query.Sql, connection);
        foreach (var value in query.Values)
        {
            explain.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        return Read(plan.RootElement[0].GetProperty("Plan"));

        static long Read(JsonElement node)
        {
            var type = node.GetProperty("Node Type").GetString()!;
            long rows = 0;
            if (type.Contains("Scan", StringComparison.Ordinal) && !type.StartsWith("Bitmap Index", StringComparison.Ordinal))
            {
                rows = (long)(node.GetProperty("Actual Rows").GetDouble() + Removed(node, "Rows Removed by Filter") + Removed(node, "Rows Removed by Index Recheck"))
                    * node.GetProperty("Actual Loops").GetInt64();
            }

            return rows + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(Read) : 0);
        }

        static double Removed(JsonElement node, string name) => node.TryGetProperty(name, out var value) ? value.GetDouble() : 0;
    }
}
