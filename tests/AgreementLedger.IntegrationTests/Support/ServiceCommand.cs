using System.Diagnostics;

namespace AgreementLedger.IntegrationTests.Support;

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
    public static Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        RunAsync("dotnet", [Dll, .. args], environment, timeout, args);

    /// <summary>
    /// Runs the command on a pseudo-terminal (util-linux <c>script</c>), as from an operator's shell:
    /// its standard output and error are the terminal, and Output is what the terminal showed
    /// (both, with <c>\r\n</c> line ends). <c>TERM</c> is <c>xterm</c> unless given.
    /// </summary>
    public static Task<(int Exit, string Output, string Error)> RunInTerminalAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var line = string.Join(' ', new[] { "exec", "dotnet", Dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var withTerm = new Dictionary<string, string>(environment);
        withTerm.TryAdd("TERM", "xterm");
        return RunAsync("script", ["--quiet", "--flush", "--return", "--command", line, "/dev/null"], withTerm, TimeSpan.FromSeconds(120), args);
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "AgreementLedger.Api.dll");

    private static async Task<(int Exit, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in arguments)
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
        // Nothing is typed: a command (or script's terminal) that reads its input finds it ended.
        process.StandardInput.Close();
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
