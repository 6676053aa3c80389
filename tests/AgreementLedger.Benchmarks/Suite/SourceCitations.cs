using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// W1's command, for every workload that writes over HTTP: cite a source on agreement i with <c>If-Match</c> its
/// known version, on agreements imported as proposals (<see cref="ImportAsync"/>). Each writer keeps to its own
/// share of the agreements (<see cref="Pick"/>), so no command conflicts. Every agreement starts at
/// <paramref name="version"/> (1: a proposal).
/// </summary>
public sealed class SourceCitations(string[] ids, long version = 1)
{
    private static readonly DateOnly Day = new(2024, 3, 1);

    private static readonly string Body = JsonSerializer.Serialize(new { publisher = "Load driver", url = "https://example.org/load", occurredOn = "2024-03-01" });

    private readonly long[] _versions = Enumerable.Repeat(version, ids.Length).ToArray();

    public IReadOnlyList<string> Ids => ids;

    /// <summary>The agreements <c>{prefix}-00000</c>… as proposals, imported as <c>seed</c> does.</summary>
    public static async Task<SourceCitations> ImportAsync(BenchmarkLedger setup, string prefix, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D5}").ToArray();
        await setup.Host.Services.GetRequiredService<BulkImporter>().ImportAsync([.. ids.Select(id => new AgreementHistory(id,
            [new AgreementProposed(id, "Load " + id, "partnership", ["JP", "GB"], ["defence-industry"], null, Day, [])]))], "bench", CancellationToken.None);
        return new SourceCitations(ids);
    }

    /// <summary>The agreement writer <paramref name="writer"/> of <paramref name="writers"/> cites on at its n-th command.</summary>
    public int Pick(int writers, int writer, int n) => writer + writers * (n % (ids.Length / writers));

    /// <summary>
    /// One command on agreement <paramref name="i"/>; on a 2xx, the agreement's new version is noted in
    /// <paramref name="acknowledged"/> (when given) with the <see cref="System.Diagnostics.Stopwatch"/> timestamp of the answer.
    /// </summary>
    public async Task<bool> AppendAsync(HttpClient client, int i, ConcurrentDictionary<(string, long), long>? acknowledged = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/agreements/{ids[i]}/sources")
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{_versions[i]}\"");
        using var answer = await client.SendAsync(request);
        if (!answer.IsSuccessStatusCode)
        {
            return false;
        }

        acknowledged?.TryAdd((ids[i], _versions[i] + 1), System.Diagnostics.Stopwatch.GetTimestamp());
        _versions[i]++;
        return true;
    }
}
