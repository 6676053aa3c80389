using System.Diagnostics;

namespace AgreementLedger.IntegrationTests.Infrastructure;

/// <summary>One of the service's commands (<c>seed</c>, <c>export</c>, <c>help</c>, …) run as its own process, as an operator runs it.</summary>
public static class ServiceCommand
{
    /// <summary>The variables of a command against <paramref name="connectionString"/>: Testing, with the run's token and digest keys.</summary>
    public static Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["ConnectionStrings__Ledger"] = connectionString,
        ["Ledger__Auth__SigningKey"] = TestTokens.Key,
        ["Ledger__Audit__SigningKey"] = TestAuditKey.Pkcs8,
    };

    public static Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(environment, TimeSpan.FromSeconds(120), args);

    /// <summary>Runs the command (an empty value removes a variable); one still running after <paramref name="timeout"/> is killed, and that is a <see cref="TimeoutException"/>.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
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
            if (value.Length == 0)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var expiry = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"'{string.Join(' ', args)}' still ran after {timeout}; killed. Its output: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
