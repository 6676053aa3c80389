using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Audit.Digests;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Audit.Digests;

/// <summary>
/// Someone with write access to the database but not the signing key rewrites an agreement's history
/// and recomputes its chain, so that every hash matches its event and the agreement verifies on its
/// own. The digests kept above the rewrite are then all that can show it, however they are left:
/// every verifier — <c>/audit/verify</c>, <c>verify-export</c> and docs/verify_export.py — must fail at
/// each of them.
/// </summary>
[Collection(AuditCollection.Name)]
public sealed class ForgedDigestTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-forged-").FullName;

    public enum Relabelling
    {
        /// <summary>The kept digests untouched: the export's closing digest is signed over the rewrite anyway.</summary>
        None,

        /// <summary>Each kept digest replaced by the digest of the rewritten ledger, under its old signature.</summary>
        DigestOnly,

        /// <summary>As <see cref="DigestOnly"/>, naming a key the service does not know, so no key would be looked up.</summary>
        UnknownKey,
    }

    [Theory]
    [InlineData(Relabelling.None, "no longer matches the stored events", "but the exported events up to it give")]
    [InlineData(Relabelling.DigestOnly, "carries an invalid signature", "does not verify")]
    [InlineData(Relabelling.UnknownKey, "names key feedfacefeedface, which the service does not know", "was signed with key feedfacefeedface, which is not among the keys given")]
    public async Task a_chain_rewritten_consistently_fails_every_verifier_at_each_digest_kept_above_it(Relabelling relabelling, string online, string offline)
    {
        var id = Given.NewId("rewritten");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01", place = "Tokyo" }, 200);
        await ledger.Host.GetAsync("/audit/digest");
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei", occurredOn = "2024-02-02" }, 200);
        await ledger.Host.GetAsync("/audit/digest");
        var rewrittenFrom = await ledger.ScalarAsync<long>("select seq_id from ledger.mt_events where stream_id = $1 and version = 2", id);
        var kept = await KeptPositionsFromAsync(rewrittenFrom);
        Assert.True(kept.Count >= 2, $"digests kept from position {rewrittenFrom}: {kept.Count}");
        Assert.DoesNotContain(LedgerFailures(await ledger.Host.GetAsync("/audit/verify")), f => kept.Contains(f.Position));

        await new DatabaseWriter(ledger.ConnectionString).RewriteChainAsync(id, version: 2, "data = jsonb_set(data, '{place}', '\"Osaka\"')");
        foreach (var position in kept)
        {
            var set = relabelling switch
            {
                Relabelling.DigestOnly => "digest = $2",
                Relabelling.UnknownKey => "digest = $2, key_id = 'feedfacefeedface'",
                _ => null,
            };
            if (set is not null)
            {
                await ledger.ExecuteAsync($"update ledger.audit_digests set {set} where position = $1", position, await DigestOfStoredEventsAsync(position));
            }
        }

        // The rewrite on its own is consistent: only the kept digests can tell.
        Assert.True((await ledger.Host.GetAsync($"/audit/verify?agreementId={id}"))["verified"].GetBoolean());

        var report = await ledger.Host.GetAsync("/audit/verify");
        Assert.False(report["verified"].GetBoolean());
        foreach (var position in kept)
        {
            Assert.Contains(LedgerFailures(report), f => f.Position == position && f.Reason.Contains(online, StringComparison.Ordinal));
        }

        var key = Path.Combine(_folder, "key.pem");
        await File.WriteAllTextAsync(key, (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString());
        foreach (var format in new[] { "ndjson", "csv" })
        {
            var export = Path.Combine(_folder, $"ledger-{relabelling}.{format}");
            await File.WriteAllTextAsync(export, await ExportAsync(format));
            foreach (var (exit, output) in await ReferenceCheck.BothAsync(export, key))
            {
                Assert.True(exit == 1, output);
                Assert.StartsWith("NOT VERIFIED", output);
                foreach (var position in kept)
                {
                    Assert.Contains(output.Split('\n'), l => l.Contains($"kept digest at position {position} ", StringComparison.Ordinal) && l.Contains(offline, StringComparison.Ordinal));
                }
            }
        }
    }

    private static IEnumerable<(long Position, string Reason)> LedgerFailures(Answer report) => report["failures"].EnumerateArray()
        .Where(f => f.GetProperty("agreementId").GetString() == "(ledger)")
        .Select(f => (f.GetProperty("version").GetInt64(), f.GetProperty("reason").GetString()!));

    private async Task<List<long>> KeptPositionsFromAsync(long position)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select position from ledger.audit_digests where position >= $1 order by position", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        var positions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            positions.Add(reader.GetInt64(0));
        }

        return positions;
    }

    /// <summary>The ledger digest of the stored events up to a position (docs/audit.md, section 1), as anyone can compute it.</summary>
    private async Task<string> DigestOfStoredEventsAsync(long position)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select coalesce(headers ->> 'hash', '') from ledger.mt_events where seq_id <= $1 order by seq_id", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = position });
        await using var reader = await command.ExecuteReaderAsync();
        var digest = EventHash.Genesis;
        while (await reader.ReadAsync())
        {
            digest = LedgerDigests.Step(digest, reader.GetString(0));
        }

        return digest;
    }

    private async Task<string> ExportAsync(string format)
    {
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export?format=" + format);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        return await result.ReadAsTextAsync();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
