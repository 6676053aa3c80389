using System.Diagnostics;

namespace AgreementLedger.IntegrationTests.Infrastructure;

/// <summary>One of the service's commands (<c>seed</c>, <c>export</c>, <c>help</c>, …) run as its own process, as an operator runs it.</summary>
public static class ServiceCommand
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgreementLedger.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Every command that composes the service needs the run's webhook key outside Development; a test may override it.
        start.Environment["Ledger__Webhooks__SecretKey"] = TestWebhookKey.Base64;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
