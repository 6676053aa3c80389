using System.Net;
using AgreementLedger.Client;
using AgreementLedger.IntegrationTests.Witness;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.IntegrationTests.Client;

/// <summary>The typed client's <see cref="WitnessClient"/> against a real witness process: its key, its checkpoint, a submission and the refusals.</summary>
public sealed class WitnessClientTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witness-client-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    private static Checkpoint Typed(AgreementLedger.Witness.CheckpointJson c) =>
        new(c.Origin!, c.TreeSize!.Value, c.RootHash!, c.Position ?? 0, c.Timestamp ?? "2026-12-01T00:00:00Z", c.KeyId!, c.Signature!, []);

    [Fact]
    public async Task cosigns_through_the_client_and_its_refusals_are_typed_problems()
    {
        await using var process = await WitnessProcess.StartAsync(_stateDirectory);
        using var log = new TestLog("witness-client").GrowTo(7);
        var witness = new WitnessClient(new HttpClient { BaseAddress = process.Address });

        var key = await witness.GetPublicKeyAsync();
        Assert.Null(await witness.GetCheckpointAsync());

        var cosignature = await witness.SubmitAsync(new WitnessSubmission(Typed(log.Checkpoint(4)), 0, [], log.PublicKey));
        Assert.Equal(key.KeyId, cosignature.KeyId);
        var unix = DateTimeOffset.Parse(cosignature.Timestamp, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.True(Es256.Verify(Convert.FromBase64String(key.SubjectPublicKeyInfo), CheckpointMessages.Cosigned(unix, CheckpointMessages.Body(log.Origin, 4, log.Root(4))), cosignature.Signature));

        var grown = await witness.SubmitAsync(new WitnessSubmission(Typed(log.Checkpoint(7)), 4, log.Proof(4, 7)));
        var held = await witness.GetCheckpointAsync(log.Origin);
        Assert.Equal((7L, Convert.ToHexStringLower(log.Root(7))), (held!.TreeSize, held.RootHash));
        Assert.Equal(grown.Signature, Assert.Single(held.Cosignatures).Signature);
        Assert.Null(await witness.GetCheckpointAsync("another-log/0"));

        // Another root at its size: 409 with its own tree; a wrong proof: 422.
        using var fork = log.Fork(2, "forked").GrowTo(7);
        var conflict = await Assert.ThrowsAsync<LedgerConflictException>(() => witness.SubmitAsync(new WitnessSubmission(Typed(fork.Checkpoint(7)), 7, [])));
        Assert.Equal(ProblemCodes.WitnessConflict, conflict.Problem.Code);
        Assert.Equal(7, conflict.Problem.Extensions!["treeSize"].GetInt64());
        fork.GrowTo(9);
        var failed = await Assert.ThrowsAsync<LedgerProblemException>(() => witness.SubmitAsync(new WitnessSubmission(Typed(fork.Checkpoint(9)), 7, fork.Proof(7, 9))));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ProblemCodes.ProofFailed), (failed.StatusCode, failed.Problem.Code));
    }
}
