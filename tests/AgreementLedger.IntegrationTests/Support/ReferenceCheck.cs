using System.Diagnostics;
using System.Text;
using AgreementLedger.IntegrationTests.Conventions;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>docs/verify_export.py, the auditor's check written from docs/ alone, run as an auditor runs it.</summary>
public static class ReferenceCheck
{
    public static readonly string Script = Path.Combine(Repository.Root, "docs", "verify_export.py");

    /// <summary>Runs the script; answers its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] args, string? stdinFile = null)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdinFile is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdinFile is not null)
        {
            await using (var stdin = process.StandardInput.BaseStream)
            {
                await stdin.WriteAsync(await File.ReadAllBytesAsync(stdinFile));
            }
        }

        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>
    /// Both offline verifiers on one export with the same keys: this script and the service's
    /// <c>verify-export</c> command (its own process, no database).
    /// </summary>
    public static Task<(int ExitCode, string Output)[]> BothAsync(string export, params string[] publicKeyFiles) =>
        BothWithAsync([export, .. publicKeyFiles.SelectMany(key => new[] { "--public-key", key })]);

    /// <summary>Both offline verifiers with the same arguments (the export, then any flags both take).</summary>
    public static async Task<(int ExitCode, string Output)[]> BothWithAsync(string[] args)
    {
        var reference = await RunAsync(args);
        var (exit, output, error) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), ["verify-export", .. args]);
        return [reference, (exit, output + error)];
    }
}
