using System.Net;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.IntegrationTests.Witness;
using AgreementLedger.Witness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgreementLedger.IntegrationTests.Audit.Transparency;

/// <summary>
/// The service's side of the witness protocol against real witness processes: cosignatures that verify, a
/// rewritten or shrunken history caught before anything is submitted, and witnesses that fail without stopping the others.
/// </summary>
public sealed class WitnessCosignerTests : IAsyncLifetime, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "witness-cosigner-" + Guid.NewGuid().ToString("N"));
    private readonly TestLog _log = new("the ledger");
    private readonly HttpClient _http = new();
    private WitnessProcess _first = null!;
    private WitnessProcess _second = null!;

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(WitnessProcess.StartAsync(Path.Combine(_root, "first")), WitnessProcess.StartAsync(Path.Combine(_root, "second")));
        (_first, _second) = (started[0], started[1]);
    }

    [Fact]
    public async Task every_witness_cosigns_first_contact_and_growth_and_every_cosignature_verifies()
    {
        var witnesses = await ConfiguredAsync(_first, _second);
        foreach (var size in new long[] { 5, 9, 9, 30 })
        {
            var round = await CosignAsync(witnesses, _log, size);

            Assert.Null(round.Diverged);
            Assert.Empty(round.Failures);
            Assert.Equal(2, round.Cosignatures.Count);
            Assert.All(round.Cosignatures, c => Assert.Contains(witnesses, w => WitnessCosigner.Verifies(w, c, _log.Origin, size, _log.Root(size))));
        }
    }

    [Fact]
    public async Task a_history_rewritten_before_a_cosigned_checkpoint_diverges_and_is_submitted_to_no_witness()
    {
        var witnesses = await ConfiguredAsync(_first, _second);
        Assert.Single((await CosignAsync(witnesses[..1], _log, 6)).Cosignatures);

        // The database's writer rewrote the chain from leaf 3 on, consistently, and signs with the real key.
        using var rewritten = _log.Fork(3, "rewritten");
        var round = await CosignAsync(witnesses, rewritten, 8);

        var diverged = Assert.IsType<Divergence>(round.Diverged);
        Assert.Equal(_first.Address, diverged.Witness);
        Assert.Equal((6L, Convert.ToHexStringLower(_log.Root(6))), (diverged.Checkpoint.TreeSize!.Value, diverged.Checkpoint.RootHash!));
        Assert.Contains("the stored events give", diverged.Reason, StringComparison.Ordinal);
        Assert.Empty(round.Cosignatures);
        // Nothing was submitted: the second witness has still cosigned nothing, the first still holds 6.
        Assert.Equal(HttpStatusCode.NotFound, (await _second.Client.GetAsync("/witness/checkpoint")).StatusCode);
        Assert.Equal(6, (await ServedAsync(_first)).TreeSize);
    }

    [Fact]
    public async Task a_stored_tree_smaller_than_a_witness_s_diverges()
    {
        var witnesses = await ConfiguredAsync(_first);
        Assert.Single((await CosignAsync(witnesses, _log, 6)).Cosignatures);

        // A database restored to before the cosigned checkpoint: its tree has 4 leaves.
        using var restored = _log.Fork(4, "after the restore");
        restored.GrowTo(4);
        var round = await CosignAsync(witnesses, restored, 4, storedSize: 4);

        Assert.Contains("larger than the stored tree", Assert.IsType<Divergence>(round.Diverged).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unreachable_witness_or_one_whose_key_does_not_match_is_a_failure_not_a_divergence()
    {
        var good = (await ConfiguredAsync(_first))[0];
        var wrongKey = good with { Url = _second.Address, PublicKey = _log.PublicKeyDer };
        var unreachable = good with { Url = new Uri($"http://127.0.0.1:{ClosedPort()}/") };

        var round = await CosignAsync([wrongKey, unreachable, good], _log, 5);

        Assert.Null(round.Diverged);
        Assert.True(WitnessCosigner.Verifies(good, Assert.Single(round.Cosignatures), _log.Origin, 5, _log.Root(5)));
        Assert.Equal(2, round.Failures.Count);
        Assert.Contains(round.Failures, f => f.StartsWith(_second.Address.ToString(), StringComparison.Ordinal) && f.Contains("does not verify", StringComparison.Ordinal));
        Assert.Contains(round.Failures, f => f.StartsWith(unreachable.Url.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_witness_another_node_advanced_is_proved_from_where_it_is_and_an_older_checkpoint_is_skipped()
    {
        var witnesses = await ConfiguredAsync(_first);
        Assert.Single((await CosignAsync(witnesses, _log, 4)).Cosignatures);
        // Another node publishes 10 between this node's read and its submission of 12.
        using var racing = new HttpClient(new BeforeSubmission(() => _first.SubmitAsync(_log.Submission(4, 10, withPublicKey: false))));
        var cosigner = new WitnessCosigner(racing, witnesses, NullLogger<WitnessCosigner>.Instance);
        var round = await cosigner.CosignAsync(_log.Checkpoint(12), _log.PublicKeyDer, Proof(_log), RootAt(_log, _log.Size), CancellationToken.None);

        Assert.Null(round.Diverged);
        Assert.Empty(round.Failures);
        Assert.Single(round.Cosignatures);
        Assert.Equal(12, (await ServedAsync(_first)).TreeSize);

        // A checkpoint older than the witness's: nothing to cosign, nothing wrong.
        var older = await CosignAsync(witnesses, _log, 8, storedSize: 12);
        Assert.Equal((0, 0), (older.Cosignatures.Count, older.Failures.Count));
        Assert.Null(older.Diverged);
    }

    [Fact]
    public void witnesses_are_read_from_configuration_and_a_bad_entry_is_refused_by_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ledger:Audit:Witnesses:0:Url"] = "https://witness.example.org/",
            ["Ledger:Audit:Witnesses:0:PublicKey"] = _log.PublicKey,
        }).Build();
        var witness = Assert.Single(ConfiguredWitness.Read(configuration));
        Assert.Equal((new Uri("https://witness.example.org/"), _log.KeyId), (witness.Url, witness.KeyId));

        configuration["Ledger:Audit:Witnesses:1:Url"] = "ftp://nowhere";
        configuration["Ledger:Audit:Witnesses:1:PublicKey"] = _log.PublicKey;
        Assert.Contains("Ledger:Audit:Witnesses:1:Url", Assert.Throws<AgreementLedger.Infrastructure.StartupException>(() => ConfiguredWitness.Read(configuration)).Message, StringComparison.Ordinal);
        configuration["Ledger:Audit:Witnesses:1:Url"] = "https://other.example.org/";
        configuration["Ledger:Audit:Witnesses:1:PublicKey"] = "bm90IGEga2V5";
        Assert.Contains("Ledger:Audit:Witnesses:1:PublicKey", Assert.Throws<AgreementLedger.Infrastructure.StartupException>(() => ConfiguredWitness.Read(configuration)).Message, StringComparison.Ordinal);
    }

    private async Task<WitnessRound> CosignAsync(IReadOnlyList<ConfiguredWitness> witnesses, TestLog log, long size, long? storedSize = null)
    {
        var checkpoint = log.Checkpoint(size);
        var cosigner = new WitnessCosigner(_http, witnesses, NullLogger<WitnessCosigner>.Instance);
        return await cosigner.CosignAsync(checkpoint, log.PublicKeyDer, Proof(log), RootAt(log, storedSize ?? size), CancellationToken.None);
    }

    private static Func<long, long, CancellationToken, Task<IReadOnlyList<byte[]>>> Proof(TestLog log) =>
        (from, to, _) => Task.FromResult<IReadOnlyList<byte[]>>([.. log.Proof(from, to).Select(Convert.FromHexString)]);

    /// <summary>The stored tree of <paramref name="storedSize"/> leaves: its root at a size, null beyond it.</summary>
    private static Func<long, CancellationToken, Task<byte[]?>> RootAt(TestLog log, long storedSize) =>
        (size, _) => Task.FromResult(size <= storedSize ? log.GrowTo(storedSize).Root(size) : null);

    private static async Task<CheckpointJson> ServedAsync(WitnessProcess witness) =>
        (await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<CheckpointJson>(witness.Client, "/witness/checkpoint"))!;

    private static async Task<ConfiguredWitness[]> ConfiguredAsync(params WitnessProcess[] witnesses) =>
        await Task.WhenAll(witnesses.Select(async w => new ConfiguredWitness(w.Address, Convert.FromBase64String((await w.PublicKeyAsync()).PublicKey))));

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs an action once, just before the first checkpoint submission passes through.</summary>
    private sealed class BeforeSubmission(Func<Task<HttpResponseMessage>> action) : DelegatingHandler(new HttpClientHandler())
    {
        private bool _done;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!_done && request.Method == HttpMethod.Post)
            {
                _done = true;
                using var answer = await action();
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _log.Dispose();
    }
}
