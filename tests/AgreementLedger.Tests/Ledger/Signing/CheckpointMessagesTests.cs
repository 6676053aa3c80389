using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Audit.Digests;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Tests.Ledger.Signing;

/// <summary>The signed bytes of docs/audit.md ("Witness"), byte for byte, and ES256 as every signer of the ledger uses it.</summary>
public sealed class CheckpointMessagesTests
{
    private static readonly byte[] Root = SHA256.HashData([]);

    [Fact]
    public void the_checkpoint_body_is_origin_size_and_base64_root_each_on_a_line()
    {
        Assert.Equal(
            "agreement-ledger/0123456789abcdef\n3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            Encoding.UTF8.GetString(CheckpointMessages.Body("agreement-ledger/0123456789abcdef", 3, Root)));
    }

    [Fact]
    public void the_cosigned_message_is_the_cosignature_header_and_time_line_then_the_body()
    {
        var body = CheckpointMessages.Body("agreement-ledger/0123456789abcdef", 1_000_000, Root);
        Assert.Equal(
            "cosignature/v1\ntime 1796133600\nagreement-ledger/0123456789abcdef\n1000000\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            Encoding.UTF8.GetString(CheckpointMessages.Cosigned(1_796_133_600, body)));
    }

    [Theory]
    [InlineData("agreement-ledger/0123456789abcdef", true)]
    [InlineData("example.com/log", true)]
    [InlineData("", false)]
    [InlineData("two\nlines", false)]
    [InlineData(" padded", false)]
    [InlineData("tab\there", false)]
    public void an_origin_is_one_printable_line(string origin, bool valid) =>
        Assert.Equal(valid, CheckpointMessages.IsValidOrigin(origin));

    [Fact]
    public void es256_signs_in_p1363_and_verifies_only_the_same_bytes_with_the_same_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var message = CheckpointMessages.Body("o", 1, Root);
        var signature = Es256.Sign(key, message);

        Assert.Equal(64, Convert.FromBase64String(signature).Length);
        Assert.True(Es256.Verify(key.ExportSubjectPublicKeyInfo(), message, signature));
        Assert.False(Es256.Verify(other.ExportSubjectPublicKeyInfo(), message, signature));
        Assert.False(Es256.Verify(key.ExportSubjectPublicKeyInfo(), CheckpointMessages.Body("o", 2, Root), signature));
        Assert.False(Es256.Verify(key.ExportSubjectPublicKeyInfo(), message, "not base64!"));
        Assert.False(Es256.Verify([1, 2, 3], message, signature));
    }

    [Fact]
    public void the_key_id_is_the_one_of_the_digest_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = key.ExportSubjectPublicKeyInfo();
        Assert.Equal(AuditSigningKey.KeyIdOf(publicKey), Es256.KeyIdOf(publicKey));
        Assert.Matches("^[0-9a-f]{16}$", Es256.KeyIdOf(publicKey));
    }

    [Fact]
    public void a_public_key_parses_only_as_base64_der_of_p256()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var der = p256.ExportSubjectPublicKeyInfo();

        Assert.True(Es256.TryParsePublicKey(Convert.ToBase64String(der), out var parsed));
        Assert.Equal(der, parsed);
        Assert.False(Es256.TryParsePublicKey(Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo()), out _));
        Assert.False(Es256.TryParsePublicKey(Convert.ToBase64String([.. der, 0]), out _));
        Assert.False(Es256.TryParsePublicKey("%%%", out _));
    }
}
