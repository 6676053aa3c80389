using System.Security.Cryptography;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger.Merkle;
using AgreementLedger.Ledger.Signing;
using Microsoft.Playwright;

namespace AgreementLedger.IntegrationTests.Ui;

/// <summary>
/// The page's own checks (merkle.js, run in Chromium with Web Crypto) give what the service's C# gives: every
/// inclusion proof of trees of 1 to 8 leaves leads to the root <see cref="MerkleTree"/> folds, and no altered
/// proof does; the checkpoint body and the cosigned message are <see cref="CheckpointMessages"/>' bytes (the
/// worked example of docs/audit.md among them); an ES256 signature made by .NET verifies, and an altered one not.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserMerkleTests(BrowserHost host) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => host.ClosePagesAsync();

    [Fact]
    public async Task every_inclusion_proof_of_trees_of_1_to_8_leaves_leads_to_the_services_root_and_no_altered_one_does()
    {
        var events = Enumerable.Range(1, 8).Select(i => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"event {i}"))).ToArray();
        var leaves = events.Select(e => MerkleHash.Leaf(e)).ToArray();
        byte[] Node(MerkleNodeId id) => id.Level == 0 ? leaves[id.Index] : MerkleHash.Node(Node(new(id.Level - 1, 2 * id.Index)), Node(new(id.Level - 1, 2 * id.Index + 1)));
        var cases = new List<object>();
        for (var size = 1; size <= 8; size++)
        {
            for (var index = 0; index < size; index++)
            {
                cases.Add(new
                {
                    index, size, eventHash = Convert.ToHexStringLower(events[index]), leafHash = Convert.ToHexStringLower(leaves[index]),
                    root = Convert.ToHexStringLower(MerkleTree.Root(size).Hash(Node)),
                    path = MerkleTree.InclusionPath(index, size).Select(range => Convert.ToHexStringLower(range.Hash(Node))).ToArray(),
                });
            }
        }

        var page = await MerklePageAsync();
        var results = await page.EvaluateAsync<JsonElement>("""
            async cases => {
              const m = await import("/merkle.js");
              const bytes = hex => m.fromHash(hex, "a test hash");
              const rootOf = async (index, size, leaf, path) => { const r = await m.rootFromInclusionProof(index, size, leaf, path.map(bytes)); return r && m.toHex(r); };
              const out = [];
              for (const c of cases) {
                const leaf = await m.leafHash(bytes(c.eventHash));
                const altered = c.path.map((p, i) => i === c.path.length - 1 ? (p[0] === "0" ? "1" : "0") + p.slice(1) : p);
                out.push({
                  leaf: m.toHex(leaf) === c.leafHash,
                  root: await rootOf(c.index, c.size, leaf, c.path) === c.root,
                  altered: c.path.length === 0 || await rootOf(c.index, c.size, leaf, altered) !== c.root,
                  shorter: c.path.length === 0 || await rootOf(c.index, c.size, leaf, c.path.slice(1)) === null,
                  longer: await rootOf(c.index, c.size, leaf, [...c.path, c.root]) === null,
                  beyond: await rootOf(c.size, c.size, leaf, c.path) === null,
                  otherLeaf: c.size === 1 || await rootOf((c.index + 1) % c.size, c.size, leaf, c.path) !== c.root,
                });
              }
              return out;
            }
            """, cases);

        var failed = results.EnumerateArray().Select((r, i) => (Case: cases[i], Checks: r.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.True && !p.Name.StartsWith('$')).Select(p => p.Name).ToList()))
            .Where(r => r.Checks.Count > 0).Select(r => $"{JsonSerializer.Serialize(r.Case)}: {string.Join(", ", r.Checks)}").ToList();
        Assert.Equal(36, results.GetArrayLength());
        Assert.True(failed.Count == 0, string.Join('\n', failed));
    }

    [Fact]
    public async Task the_checkpoint_body_the_cosigned_message_and_es256_signatures_are_checked_as_the_service_makes_them()
    {
        // docs/audit.md, "Witness": the worked example of 118 bytes.
        const string Origin = "agreement-ledger/0123456789abcdef";
        var root = MerkleHash.EmptyRoot;
        var body = CheckpointMessages.Body(Origin, 1_000_000, root);
        var cosigned = CheckpointMessages.Cosigned(1796133600, body);
        var key = TestAuditKey.Key;
        var page = await MerklePageAsync();

        var checks = await page.EvaluateAsync<JsonElement>("""
            async ({ origin, root, body, cosigned, publicKey, signature, altered }) => {
              const m = await import("/merkle.js");
              const hex = bytes => m.toHex(bytes);
              const madeBody = m.checkpointBody(origin, 1000000, m.fromHash(root, "root"));
              const message = m.cosignedMessage("2026-12-01T14:00:00Z", madeBody);
              let refused = false;
              try { m.cosignedMessage("2026-12-01T14:00:00.5Z", madeBody); } catch (e) { refused = e instanceof m.ProofFailure; }
              return {
                body: hex(madeBody) === body,
                cosigned: hex(message) === cosigned && message.length === 118,
                verifies: await m.verifiesEs256(publicKey, madeBody, signature),
                alteredRefused: !await m.verifiesEs256(publicKey, madeBody, altered),
                otherMessageRefused: !await m.verifiesEs256(publicKey, message, signature),
                keyId: await m.keyIdOf(publicKey),
                fractionRefused: refused,
              };
            }
            """, new
        {
            origin = Origin, root = Convert.ToHexStringLower(root), body = Convert.ToHexStringLower(body), cosigned = Convert.ToHexStringLower(cosigned),
            publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
            signature = Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256)),
            altered = Convert.ToBase64String(key.SignData(cosigned, HashAlgorithmName.SHA256)),
        });

        foreach (var check in new[] { "body", "cosigned", "verifies", "alteredRefused", "otherMessageRefused", "fractionRefused" })
        {
            Assert.True(checks.GetProperty(check).GetBoolean(), check);
        }

        Assert.Equal(Es256.KeyIdOf(key.ExportSubjectPublicKeyInfo()), checks.GetProperty("keyId").GetString());
    }

    /// <summary>Any page of the service: merkle.js is imported into it as the page's own modules are.</summary>
    private async Task<IPage> MerklePageAsync()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }
}
