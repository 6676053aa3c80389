using System.Net.Http.Json;
using System.Security.Cryptography;
using AgreementLedger.IntegrationTests.OpenApi;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Witness;

/// <summary>
/// The witness process serves its own <c>/openapi/v1.json</c>: its three routes, clean under Redocly's recommended
/// rules, and every status a real request draws from it (200, 400, 403, 404, 409, 415, 422) held against the document.
/// </summary>
public sealed class WitnessOpenApiTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "witness-openapi-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    [Fact]
    public async Task the_witness_document_is_clean_and_every_answer_matches_it()
    {
        await using var witness = await WitnessProcess.StartAsync(_stateDirectory);
        var document = await witness.Client.GetStringAsync("/openapi/v1.json");
        await Redocly.AssertCleanAsync(document, "the witness's /openapi/v1.json");
        var contract = new OpenApiContract(document);
        const string Key = "GET /witness/public-key", Held = "GET /witness/checkpoint", Submit = "POST /witness/checkpoints";
        Assert.Equal(new HashSet<string> { Key, Held, Submit }, contract.Operations);

        var mismatches = new List<string>();
        async Task DriveAsync(string operation, HttpResponseMessage answer, int expected)
        {
            using (answer)
            {
                Assert.True((int)answer.StatusCode == expected, $"{operation} answered {(int)answer.StatusCode}, not {expected}: {await answer.Content.ReadAsStringAsync()}");
                var mismatch = contract.Mismatch(operation, expected, answer.Content.Headers.ContentType?.ToString(), await answer.Content.ReadAsStringAsync(),
                    answer.Headers.Select(h => h.Key).Concat(answer.Content.Headers.Select(h => h.Key)));
                if (mismatch is not null)
                {
                    mismatches.Add(mismatch);
                }
            }
        }

        using var log = new TestLog("witness-openapi");
        using var stranger = new TestLog("witness-openapi", ECDsa.Create(ECCurve.NamedCurves.nistP256));
        await DriveAsync(Key, await witness.Client.GetAsync("/witness/public-key"), 200);
        await DriveAsync(Held, await witness.Client.GetAsync("/witness/checkpoint"), 404);
        await DriveAsync(Submit, await witness.SubmitAsync(log.Submission(0, 4)), 200);
        await DriveAsync(Held, await witness.Client.GetAsync("/witness/checkpoint"), 200);
        await DriveAsync(Submit, await witness.SubmitAsync(log.Submission(0, 6) with { OldSize = 2 }), 409);
        await DriveAsync(Submit, await witness.SubmitAsync(log.Submission(4, 6) with { Proof = [new string('0', 64)] }), 422);
        await DriveAsync(Submit, await witness.SubmitAsync(stranger.Submission(4, 6)), 403);
        await DriveAsync(Submit, await witness.SubmitAsync(log.Submission(4, 6) with { OldSize = 7 }), 400);
        await DriveAsync(Submit, await witness.Client.PostAsync("/witness/checkpoints", new StringContent("{", System.Text.Encoding.UTF8, "application/json")), 400);
        await DriveAsync(Submit, await witness.Client.PostAsync("/witness/checkpoints", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain")), 415);

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} answer(s) differ from the witness's document:\n\n" + string.Join("\n\n", mismatches));
    }
}
