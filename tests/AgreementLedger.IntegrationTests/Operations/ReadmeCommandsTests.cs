using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>
/// The README's two commands, as written: the test command is what CI runs, and the run command
/// starts the service on its embedded default, serves the demo agreements and stops cleanly.
/// </summary>
public sealed partial class ReadmeCommandsTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-readme-{Guid.NewGuid():N}");

    [Fact]
    public void ci_runs_exactly_the_readmes_test_command()
    {
        var test = Command("Test it");
        var ci = File.ReadAllLines(Path.Combine(RepositoryRoot, ".ci", "run")).Last(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));

        Assert.Equal("./build.sh", test);
        Assert.Equal("exec " + test, ci.Trim());
    }

    [Fact]
    public async Task the_readmes_run_command_serves_the_demo_agreements_on_its_embedded_database_and_stops_cleanly()
    {
        var run = Command("Run it");
        Assert.Equal("dotnet run --project src/AgreementLedger.Api", run);
        var url = UrlIn(ReadmeSection("Run it"));

        // Its own session, so that Ctrl-C reaches dotnet run and the service it started alike; its own data folder.
        // With SIGINT's default action, as in a terminal: a test run started in the background (`… &` in a script)
        // inherits SIGINT ignored, which no shell below can undo and .NET then leaves ignored.
        var start = new ProcessStartInfo("setsid", ["env", "--default-signal=INT", "bash", "-c", "exec " + run])
        {
            WorkingDirectory = RepositoryRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Ledger__Database__DataDirectory"] = _data;
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("ConnectionStrings__Ledger");
        using var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(process.HasExited, "the service exited:\n" + string.Join('\n', output));
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), "the service never became ready:\n" + string.Join('\n', output));
                try
                {
                    using var ready = await client.GetAsync("/health/ready");
                    if (ready.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }

                await Task.Delay(500);
            }

            // A first run says what an operator needs in at most 15 lines: where the data lives and how
            // to connect, the address, the page and the API reference, and the warnings that matter.
            var said = await EventuallyAsync(() => output.Any(l => l.Contains("Serving ", StringComparison.Ordinal)));
            var lines = output.ToArray();
            Assert.True(said, "it never said where it serves:\n" + string.Join('\n', lines));
            Assert.True(lines.Length <= 15, $"a first run printed {lines.Length} lines:\n" + string.Join('\n', lines));
            var text = string.Join('\n', lines);
            Assert.Contains(_data, text, StringComparison.Ordinal);
            Assert.Contains("psql", text, StringComparison.Ordinal);
            Assert.Contains(url, text, StringComparison.Ordinal);
            Assert.Contains("/scalar/", text, StringComparison.Ordinal);
            Assert.Contains("NO AUTHENTICATION", text, StringComparison.Ordinal);

            // The demo agreements are seeded on the first start; the page is served.
            var agreements = await EventuallyAsync(client, "/agreements?limit=100", a => a.GetProperty("items").GetArrayLength() >= 8);
            Assert.Contains(agreements.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == "gcap-treaty");
            using var page = await client.GetAsync("/");
            Assert.True(page.IsSuccessStatusCode);
        }
        finally
        {
            using (var interrupt = Process.Start("kill", ["-INT", "--", "-" + process.Id]))
            {
                await interrupt!.WaitForExitAsync();
            }

            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                using var kill = Process.Start("kill", ["-KILL", "--", "-" + process.Id]);
                await kill!.WaitForExitAsync();
                Assert.Fail("Ctrl-C did not stop the service within a minute:\n" + string.Join('\n', output));
            }
        }

        // The embedded cluster was stopped with the service.
        Assert.Empty(Directory.EnumerateFiles(_data, "postmaster.pid", SearchOption.AllDirectories));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    private static async Task<JsonElement> EventuallyAsync(HttpClient client, string url, Func<JsonElement, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var answer = await client.GetAsync(url);
            var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
            if ((answer.IsSuccessStatusCode && done(body)) || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return body;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The first bash block of a README section, as one line.</summary>
    private static string Command(string section) => BashBlock().Match(ReadmeSection(section)).Groups[1].Value.Trim();

    private static string ReadmeSection(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));
        var start = readme.IndexOf("## " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'");
        var end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static string UrlIn(string text) => ServesOn().Match(text).Groups[1].Value;

    private static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgreementLedger.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("AgreementLedger.sln not found above " + AppContext.BaseDirectory);
        }
    }

    [GeneratedRegex("```bash\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"Serves on <(http://localhost:[0-9]+)>")]
    private static partial Regex ServesOn();

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
