using System.Security.Cryptography;
using AgreementLedger.Ledger;

namespace AgreementLedger.Tests.Ledger;

/// <summary>The ledger's SHA-256 (OpenSSL called directly where found) against the platform's, on every size around the block boundaries and on many threads.</summary>
public sealed class Sha256Tests
{
    [Fact]
    public void openssl_is_called_directly_and_checked_on_a_known_input()
    {
        // The service runs on Linux, where OpenSSL 3 is the platform's cryptography: the direct path must be the one in use.
        Assert.True(OpenSslSha256.Available);
        Span<byte> hash = stackalloc byte[32];
        Assert.True(OpenSslSha256.TryHash("abc"u8, hash));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void every_length_up_to_a_few_blocks_hashes_as_the_platform_does()
    {
        var random = new Random(20261202);
        for (var length = 0; length <= 1100; length++)
        {
            var input = new byte[length];
            random.NextBytes(input);
            Assert.Equal(SHA256.HashData(input), Sha256.Hash(input));
        }
    }

    [Fact]
    public void threads_hashing_at_once_each_get_their_own_answer()
    {
        var inputs = Enumerable.Range(0, 2000).Select(i => System.Text.Encoding.UTF8.GetBytes($"leaf {i} " + new string('x', i % 300))).ToArray();
        var hashes = new byte[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => hashes[i] = Sha256.Hash(inputs[i]));
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(SHA256.HashData(inputs[i]), hashes[i]);
        }
    }

    [Fact]
    public void a_destination_too_short_is_refused_not_overrun()
    {
        Assert.False(OpenSslSha256.TryHash("abc"u8, new byte[31]));
    }
}
