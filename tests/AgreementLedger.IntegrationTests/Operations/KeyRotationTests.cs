using System.Security.Cryptography;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>
/// A node after both keys were rotated: it signs tokens' successor key and digests with a new key,
/// and still accepts the previous token key and verifies digests kept under the previous audit key.
/// </summary>
public sealed class RotatedKeysLedgerHost : LedgerHost
{
    public static readonly string NewTokenKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static readonly ECDsa PreviousAuditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static readonly ECDsa NewAuditKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Auth:SigningKey"] = NewTokenKey,
        // The tests' usual key (TestTokens.Key) is the one that was replaced.
        ["Ledger:Auth:PreviousSigningKeys"] = TestTokens.Key,
        ["Ledger:Audit:SigningKey"] = Convert.ToBase64String(NewAuditKey.ExportPkcs8PrivateKey()),
        ["Ledger:Audit:PreviousPublicKeys:0"] = PreviousAuditKey.ExportSubjectPublicKeyInfoPem(),
    };
}

[CollectionDefinition(Name)]
public sealed class KeyRotationCollection : ICollectionFixture<RotatedKeysLedgerHost>
{
    public const string Name = "key-rotation";
}

[Collection(KeyRotationCollection.Name)]
public sealed class KeyRotationTests(RotatedKeysLedgerHost ledger)
{
    [Fact]
    public async Task tokens_signed_with_the_current_or_the_previous_key_are_accepted_and_others_refused()
    {
        var current = LedgerAuth.CreateToken(RotatedKeysLedgerHost.NewTokenKey, "after-rotation", [Roles.Auditor], TimeSpan.FromMinutes(5));
        var previous = TestTokens.For("before-rotation", Roles.Auditor);
        var stranger = LedgerAuth.CreateToken(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), "mallory", [Roles.Auditor], TimeSpan.FromMinutes(5));

        await ledger.Host.GetAsync("/audit/public-key", 200, current);
        await ledger.Host.GetAsync("/audit/public-key", 200, previous);
        await ledger.Host.GetAsync("/audit/public-key", 401, stranger);
    }

    [Fact]
    public async Task the_public_keys_list_the_signing_key_first_then_the_one_it_replaced()
    {
        var keys = (await ledger.Host.GetAsync("/audit/public-key"))["keys"].EnumerateArray().Select(k => k.GetProperty("keyId").GetString()).ToList();

        Assert.Equal(
            [AuditSigningKey.KeyIdOf(RotatedKeysLedgerHost.NewAuditKey.ExportSubjectPublicKeyInfo()), AuditSigningKey.KeyIdOf(RotatedKeysLedgerHost.PreviousAuditKey.ExportSubjectPublicKeyInfo())],
            keys);
    }

    [Fact]
    public async Task digests_kept_under_the_previous_key_still_verify_and_a_forged_one_is_caught()
    {
        await ledger.Host.ProposedAsync(Given.NewId("rotation"), "JP", "KR");
        var taken = await ledger.Host.GetAsync("/audit/digest");
        var position = taken["position"].GetInt64();
        var digest = taken["digest"].GetString()!;
        // As if this digest had been kept before the rotation: signed by the previous key.
        var previousId = AuditSigningKey.KeyIdOf(RotatedKeysLedgerHost.PreviousAuditKey.ExportSubjectPublicKeyInfo());
        var signature = Convert.ToBase64String(RotatedKeysLedgerHost.PreviousAuditKey.SignData(
            AuditSigningKey.Message(position, digest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await ledger.ExecuteAsync("update ledger.audit_digests set signature = $1, key_id = $2 where position = $3", signature, previousId, position);

        Assert.True((await ledger.Host.GetAsync("/audit/verify"))["verified"].GetBoolean());

        var forged = Convert.ToBase64String(RotatedKeysLedgerHost.NewAuditKey.SignData(
            AuditSigningKey.Message(position, digest), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await ledger.ExecuteAsync("update ledger.audit_digests set signature = $1 where position = $2", forged, position);

        var report = await ledger.Host.GetAsync("/audit/verify");
        Assert.False(report["verified"].GetBoolean());
        Assert.Contains(report["failures"].EnumerateArray(), f => f.GetProperty("reason").GetString()!.Contains("invalid signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_kept_digest_signed_by_a_key_the_service_does_not_know_is_a_failure()
    {
        await ledger.Host.ProposedAsync(Given.NewId("stranger"), "JP", "KR");
        var taken = await ledger.Host.GetAsync("/audit/digest");
        var position = taken["position"].GetInt64();
        // A correct signature over the right digest, by a key never configured here: a forger's own, or a
        // previous key left out of PreviousPublicKeys. Neither can be told from the other, so neither passes.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var strangerId = AuditSigningKey.KeyIdOf(stranger.ExportSubjectPublicKeyInfo());
        var signature = Convert.ToBase64String(stranger.SignData(
            AuditSigningKey.Message(position, taken["digest"].GetString()!), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await ledger.ExecuteAsync("update ledger.audit_digests set signature = $1, key_id = $2 where position = $3", signature, strangerId, position);

        var report = await ledger.Host.GetAsync("/audit/verify");

        Assert.False(report["verified"].GetBoolean());
        var failure = Assert.Single(report["failures"].EnumerateArray(), f => f.GetProperty("version").GetInt64() == position);
        Assert.Equal("(ledger)", failure.GetProperty("agreementId").GetString());
        Assert.Equal(
            $"the kept digest at position {position} names key {strangerId}, which the service does not know: the digest record was forged, " +
            "or the key that signed it is missing from Ledger:Audit:PreviousPublicKeys",
            failure.GetProperty("reason").GetString());

        // The forged record is never served as the digest of that position: it is signed anew.
        var again = await ledger.Host.GetAsync($"/audit/digest?position={position}");
        Assert.Equal(taken["keyId"].GetString(), again["keyId"].GetString());
        Assert.NotEqual(signature, again["signature"].GetString());
        Assert.Equal(taken["digest"].GetString(), again["digest"].GetString());
    }
}
