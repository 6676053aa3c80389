using System.Diagnostics;
using System.Text.Json;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.OpenApi;

/// <summary>
/// Redocly CLI's recommended rules (tools/openapi/redocly.yaml, the CLI pinned in tools/openapi/package-lock.json and
/// installed by ./build.sh) run as a real process on a document written to a file, as a third party's pipeline runs it.
/// </summary>
public static class Redocly
{
    private static readonly string Tools = Path.Combine(Repository.Root, "tools", "openapi");

    /// <summary>Fails unless <paramref name="document"/> has no error and no warning.</summary>
    public static async Task AssertCleanAsync(string document, string name)
    {
        var redocly = Path.Combine(Tools, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly),
            $"Redocly CLI is not installed ({redocly} is missing): run ./build.sh, which installs it with 'npm ci' in tools/openapi.");
        var folder = Directory.CreateTempSubdirectory("ledger-openapi-");
        try
        {
            var file = Path.Combine(folder.FullName, "v1.json");
            await File.WriteAllTextAsync(file, document);

            var (exit, output, errors) = await RunAsync(redocly, "lint", file, "--config", Path.Combine(Tools, "redocly.yaml"), "--format=json");

            var start = output.IndexOf('{', StringComparison.Ordinal);
            Assert.True(start >= 0, $"redocly lint printed no report (exit {exit}):\n{output}\n{errors}");
            using var report = JsonDocument.Parse(output[start..]);
            var problems = report.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at {string.Join(", ", p.GetProperty("location").EnumerateArray().Select(l => l.GetProperty("pointer").GetString()))}: {p.GetProperty("message").GetString()}")
                .ToList();
            Assert.True(exit == 0 && problems.Count == 0,
                $"redocly lint (exit {exit}) found {problems.Count} problem(s) in {name}:\n{string.Join('\n', problems)}\n{errors}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Tools,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No telemetry and no update check: the lint reads the file and the config, and sends nothing anywhere.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }
}
