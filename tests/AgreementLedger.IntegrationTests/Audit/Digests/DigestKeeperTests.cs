using System.Security.Cryptography;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Audit.Digests;

[Collection(FastDigestCollection.Name)]
public sealed class DigestKeeperTests(FastDigestLedgerHost ledger)
{
    [Fact]
    public async Task digests_are_taken_and_kept_periodically_as_the_ledger_grows()
    {
        var id = Given.NewId("kept");
        await ledger.Host.ProposedAsync(id, "JP");
        var position = await ledger.ScalarAsync<long>("select max(seq_id) from ledger.mt_events where stream_id = $1", id);

        long kept = 0;
        for (var i = 0; i < 200 && kept < position; i++)
        {
            await Task.Delay(50);
            kept = await ledger.ScalarAsync<long>("select coalesce(max(position), 0) from ledger.audit_digests");
        }

        Assert.True(kept >= position, $"no digest kept at or after position {position} (newest kept: {kept})");
    }

    [Fact]
    public async Task digests_are_signed_with_the_configured_key()
    {
        await ledger.Host.ProposedAsync(Given.NewId("configuredkey"), "JP");

        var key = (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0];
        var digest = await ledger.Host.GetAsync("/audit/digest");

        Assert.Equal(Convert.ToBase64String(FastDigestLedgerHost.Key.ExportSubjectPublicKeyInfo()), key.GetProperty("publicKey").GetString());
        Assert.Equal(key.GetProperty("keyId").GetString(), digest["keyId"].GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(FastDigestLedgerHost.Key.ExportSubjectPublicKeyInfo()))[..16], digest["keyId"].GetString());
    }
}
