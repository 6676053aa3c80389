using System.Security.Cryptography;
using System.Text;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Audit.Digests;

[Collection(AuditDigestCollection.Name)]
public sealed class DigestTests(LedgerHost ledger)
{
    [Fact]
    public async Task the_digest_is_a_signed_chain_of_event_hashes_in_position_order_and_stable()
    {
        var id = Given.NewId("digest");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { }, 200);

        var newest = await ledger.Host.GetAsync("/audit/digest");
        var position = newest["position"].GetInt64();
        var again = await ledger.Host.GetAsync($"/audit/digest?position={position}");
        var key = (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0];

        Assert.Equal(newest.Text, again.Text);
        Assert.Equal(await IndependentDigestAsync(position), newest["digest"].GetString());
        Assert.Equal(key.GetProperty("keyId").GetString(), newest["keyId"].GetString());
        Assert.Equal("ES256", key.GetProperty("algorithm").GetString());
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.GetProperty("publicKey").GetString()!), out _);
        var message = Encoding.UTF8.GetBytes($"agreement-ledger/digest/v1\n{position}\n{newest["digest"].GetString()}");
        Assert.True(ecdsa.VerifyData(message, Convert.FromBase64String(newest["signature"].GetString()!), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public async Task positions_beyond_the_newest_safe_one_are_409_and_malformed_ones_400()
    {
        var id = Given.NewId("digestpos");
        await ledger.Host.ProposedAsync(id, "JP");
        var newest = (await ledger.Host.GetAsync("/audit/digest"))["position"].GetInt64();

        await ledger.Host.GetAsync($"/audit/digest?position={newest + 1000}", 409);
        await ledger.Host.GetAsync("/audit/digest?position=-1", 400);
        await ledger.Host.GetAsync("/audit/digest?position=x", 400);
        var empty = await ledger.Host.GetAsync("/audit/digest?position=0");
        Assert.Equal(new string('0', 64), empty["digest"].GetString());
    }

    [Fact]
    public async Task cutting_the_newest_events_shows_against_a_kept_signed_digest()
    {
        var id = Given.NewId("truncated");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { }, 200);
        await ledger.Host.GetAsync("/audit/digest");
        Assert.True((await ledger.Host.GetAsync("/audit/verify"))["verified"].GetBoolean());

        // A careful attacker removes the newest event and fixes Marten's stream record too.
        await ledger.ExecuteAsync("delete from ledger.mt_events where stream_id = $1 and version = 2", id);
        await ledger.ExecuteAsync("update ledger.mt_streams set version = 1 where id = $1", id);

        Assert.True((await ledger.Host.GetAsync($"/audit/verify?agreementId={id}"))["verified"].GetBoolean());
        var whole = await ledger.Host.GetAsync("/audit/verify");
        Assert.False(whole["verified"].GetBoolean());
        var failure = Assert.Single(whole["failures"].EnumerateArray());
        Assert.Equal("(ledger)", failure.GetProperty("agreementId").GetString());
        Assert.Contains("no longer matches", failure.GetProperty("reason").GetString());
    }

    private async Task<string> IndependentDigestAsync(long position)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select headers ->> 'hash' from ledger.mt_events where seq_id <= $1 order by seq_id", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = position });
        await using var reader = await command.ExecuteReaderAsync();
        var digest = new string('0', 64);
        while (await reader.ReadAsync())
        {
            digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(digest + reader.GetString(0))));
        }

        return digest;
    }
}
