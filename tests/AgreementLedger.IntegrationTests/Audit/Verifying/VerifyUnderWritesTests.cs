using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Audit.Verifying;

[CollectionDefinition(Name)]
public sealed class VerifyUnderWritesCollection : ICollectionFixture<LedgerHost>
{
    public const string Name = "verify-under-writes";
}

/// <summary>
/// A ledger nobody tampered with verifies while agreements are written beside the verify: the versions the ledger
/// records and the events they count are read as of one instant, so an append between the two reads is never taken
/// for an inserted or a removed event. (Its own database: nothing else here alters events.)
/// </summary>
[Collection(VerifyUnderWritesCollection.Name)]
public sealed class VerifyUnderWritesTests(LedgerHost ledger)
{
    [Fact]
    public async Task the_whole_ledger_and_each_agreement_verify_while_agreements_are_written()
    {
        var ids = Enumerable.Range(0, 4).Select(_ => Given.NewId("busy")).ToList();
        foreach (var id in ids)
        {
            await ledger.Host.ProposedAsync(id, "JP", "GB");
        }

        using var stop = new CancellationTokenSource();
        var written = 0;
        var writers = ids.Select(id => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei", occurredOn = "2024-02-02" }, 200);
                Interlocked.Increment(ref written);
            }
        })).ToArray();
        try
        {
            for (var round = 0; round < 20; round++)
            {
                var whole = await ledger.Host.GetAsync("/audit/verify");
                Assert.True(whole["verified"].GetBoolean(), whole.Text);
                var one = await ledger.Host.GetAsync($"/audit/verify?agreementId={ids[round % ids.Count]}");
                Assert.True(one["verified"].GetBoolean(), one.Text);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        // The verifies ran beside the writes, not before or after them.
        Assert.True(written >= 20, $"only {written} sources were written while the ledger was verified");
    }
}
