using System.Security.Cryptography;
using System.Text;
using AgreementLedger.Ledger.Signing;
using AgreementLedger.Tests.Ledger.Merkle;
using AgreementLedger.Witness;

namespace AgreementLedger.Tests.Witness;

/// <summary>The witness's rule as a pure function of its state: what it answers, and what it then remembers.</summary>
public sealed class WitnessDecisionTests : IDisposable
{
    private const string Origin = "agreement-ledger/test";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_796_133_600);

    private readonly string _directory = Directory.CreateTempSubdirectory("witness-decision-").FullName;
    private readonly ECDsa _logKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly WitnessKey _witnessKey;
    private readonly MerkleTestTrees _honest = Tree("honest", 40);
    private readonly MerkleTestTrees _forked = Tree("honest", 10, "forked", 40);

    public WitnessDecisionTests() => _witnessKey = WitnessKey.LoadOrCreate(_directory);

    private static LogKeys NoKeys => new([]);

    [Fact]
    public void first_contact_cosigns_pins_the_offered_key_and_remembers_the_tree()
    {
        var (outcome, next) = Decide(WitnessState.Empty, NoKeys, Submission(_honest, 0, 5));

        var cosigned = Assert.IsType<SubmissionOutcome.Cosigned>(outcome);
        Assert.NotNull(next);
        Assert.Equal(Convert.ToBase64String(_logKey.ExportSubjectPublicKeyInfo()), next.PinnedKey);
        var log = Assert.Single(next.Logs);
        Assert.Equal((Origin, 5L, Convert.ToHexStringLower(_honest.Root(5))), (log.Origin, log.TreeSize, log.RootHash));
        Assert.Equal(cosigned.Cosignature, log.Cosignature);
        Assert.Equal("2026-12-01T14:00:00Z", cosigned.Cosignature.Timestamp);
        var message = CheckpointMessages.Cosigned(Now.ToUnixTimeSeconds(), CheckpointMessages.Body(Origin, 5, _honest.Root(5)));
        Assert.True(Es256.Verify(_witnessKey.PublicKey, message, cosigned.Cosignature.Signature!));
    }

    [Fact]
    public void a_refused_submission_changes_nothing_but_a_key_pinned_on_first_use()
    {
        var proofFromThree = Submission(_honest, 0, 5) with { Proof = _honest.ConsistencyProof(3, 5) };
        var (outcome, next) = Decide(WitnessState.Empty, NoKeys, proofFromThree);

        Assert.IsType<SubmissionOutcome.ProofFailed>(outcome);
        Assert.NotNull(next?.PinnedKey);
        Assert.Empty(next!.Logs);

        var (again, unchanged) = Decide(next, NoKeys, proofFromThree);
        Assert.IsType<SubmissionOutcome.ProofFailed>(again);
        Assert.Null(unchanged);
    }

    [Fact]
    public void the_same_size_and_root_answers_the_cosignature_given_before_and_changes_nothing()
    {
        var (first, state) = Decide(WitnessState.Empty, NoKeys, Submission(_honest, 0, 7));
        var (again, next) = Decide(state!, NoKeys, Submission(_honest, 7, 7), Now.AddHours(1));

        Assert.Equal(((SubmissionOutcome.Cosigned)first).Cosignature, Assert.IsType<SubmissionOutcome.Cosigned>(again).Cosignature);
        Assert.Null(next);
    }

    [Fact]
    public void given_log_keys_an_offered_key_is_never_pinned()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var given = new LogKeys([other.ExportSubjectPublicKeyInfo()]);

        var (outcome, next) = Decide(WitnessState.Empty, given, Submission(_honest, 0, 3));

        Assert.Contains("not among the log keys", Assert.IsType<SubmissionOutcome.Untrusted>(outcome).Detail, StringComparison.Ordinal);
        Assert.Null(next);
    }

    [Fact]
    public void whatever_is_submitted_in_whatever_order_it_never_cosigns_two_roots_for_a_size_or_a_smaller_tree()
    {
        var random = new Random(18);
        var outcomes = new Dictionary<Type, int>();
        for (var run = 0; run < 20; run++)
        {
            var state = WitnessState.Empty;
            var cosigned = new Dictionary<long, string>();
            long held = 0;
            for (var step = 0; step < 40; step++)
            {
                var tree = random.Next(2) == 0 ? _honest : _forked;
                var to = random.Next(0, 41);
                // Mostly honest about the witness's size, sometimes not; sometimes with a proof from elsewhere.
                var from = random.Next(4) == 0 ? random.Next(0, to + 1) : Math.Min(held, to);
                var submission = Submission(tree, from, to);
                if (random.Next(6) == 0 && to > 1)
                {
                    submission = submission with { Proof = tree.ConsistencyProof(random.Next(1, to), to) };
                }

                var (outcome, next) = Decide(state, NoKeys, submission);
                outcomes[outcome.GetType()] = outcomes.GetValueOrDefault(outcome.GetType()) + 1;
                state = next ?? state;
                if (outcome is SubmissionOutcome.Cosigned)
                {
                    var root = Convert.ToHexStringLower(submission.RootHash);
                    Assert.True(to >= held, $"cosigned size {to} after size {held}");
                    Assert.True(!cosigned.TryGetValue(to, out var before) || before == root, $"two roots cosigned for size {to}");
                    if (held > 0)
                    {
                        Assert.True(tree == _honest || to <= 10 || cosigned.Keys.All(size => size <= 10 || cosigned[size] == Convert.ToHexStringLower(tree.Root(size))),
                            "a tree that does not extend the cosigned one was cosigned");
                    }

                    cosigned[to] = root;
                    held = to;
                }

                Assert.Equal(held, state.Log(Origin)?.TreeSize ?? 0);
            }
        }

        // Not vacuous: every answer but 403 came up many times.
        foreach (var kind in new[] { typeof(SubmissionOutcome.Cosigned), typeof(SubmissionOutcome.Conflict), typeof(SubmissionOutcome.ProofFailed) })
        {
            Assert.True(outcomes.GetValueOrDefault(kind) >= 20, $"{kind.Name}: {outcomes.GetValueOrDefault(kind)} times");
        }
    }

    private (SubmissionOutcome Outcome, WitnessState? Next) Decide(WitnessState state, LogKeys keys, CheckedSubmission submission, DateTimeOffset? now = null) =>
        WitnessDecision.Decide(state, keys, submission, _witnessKey, "witness/test", now ?? Now);

    private CheckedSubmission Submission(MerkleTestTrees tree, long from, long to)
    {
        var root = tree.Root(to);
        var signature = Es256.Sign(_logKey, CheckpointMessages.Body(Origin, to, root));
        var keyId = Es256.KeyIdOf(_logKey.ExportSubjectPublicKeyInfo());
        var checkpoint = new CheckpointJson(Origin, to, Convert.ToHexStringLower(root), to, "2026-12-01T14:00:00Z", keyId, signature, null);
        return new CheckedSubmission(checkpoint, Origin, to, root, keyId, signature, from, tree.ConsistencyProof(from, to), _logKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>A tree of <paramref name="count"/> leaves from <paramref name="seed"/>, then up to <paramref name="total"/> from <paramref name="laterSeed"/>.</summary>
    private static MerkleTestTrees Tree(string seed, int count, string? laterSeed = null, int? total = null) =>
        new(Enumerable.Range(0, total ?? count).Select(i =>
            SHA256.HashData(Encoding.UTF8.GetBytes(i < count || laterSeed is null ? $"{seed}/{i}" : $"{laterSeed}/{i}"))));

    public void Dispose()
    {
        _witnessKey.Dispose();
        _logKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
