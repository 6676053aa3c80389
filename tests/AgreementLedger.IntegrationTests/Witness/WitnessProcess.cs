using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AgreementLedger.Witness;

namespace AgreementLedger.IntegrationTests.Witness;

/// <summary>
/// The witness command as its own operating-system process, as an operator runs it: on a port the system picks
/// (ASPNETCORE_URLS with port 0), read back from its start-up line.
/// </summary>
public sealed partial class WitnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private bool _disposed;

    private WitnessProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>The file names of the assemblies the process has mapped (Linux: <c>/proc/PID/maps</c>).</summary>
    public IReadOnlySet<string> LoadedAssemblies() => File.ReadLines($"/proc/{_process.Id}/maps")
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
        .Select(Path.GetFileName)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "AgreementLedger.Api.dll");

    /// <summary>Starts <c>witness --state-dir <paramref name="stateDirectory"/></c> with each of <paramref name="logKeys"/> as <c>--log-key</c>.</summary>
    public static async Task<WitnessProcess> StartAsync(string stateDirectory, IEnumerable<string>? logKeys = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Start(stateDirectory, logKeys, environment);
        var process = Process.Start(start)!;
        var output = new StringWriter();
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.WriteLine(line);
            }

            if (ServingAt().Match(line) is { Success: true } serving)
            {
                address.TrySetResult(new Uri(serving.Groups["address"].Value));
            }
        }

        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(address.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != address.Task)
        {
            var why = process.HasExited ? $"exited with {process.ExitCode}" : "did not start within 60 s";
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException($"The witness {why}; its output: {output}");
        }

        return new WitnessProcess(process, await address.Task);
    }

    /// <summary>Runs the service's command line with <paramref name="arguments"/> (e.g. a witness that must refuse to start) to its end: its exit code and what it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        var start = Start("", null, null);
        start.ArgumentList.Clear();
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var expiry = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(expiry.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', arguments)}' still ran after 60 s: " + await output);
        }

        return (process.ExitCode, await output + await error);
    }

    public Task<HttpResponseMessage> SubmitAsync(WitnessSubmission submission) => Client.PostAsJsonAsync("/witness/checkpoints", submission);

    public async Task<WitnessPublicKey> PublicKeyAsync() => (await Client.GetFromJsonAsync<WitnessPublicKey>("/witness/public-key"))!;

    /// <summary>Ends the process (as a crash would); disposing twice is fine.</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ProcessStartInfo Start(string stateDirectory, IEnumerable<string>? logKeys, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("witness");
        start.ArgumentList.Add("--state-dir");
        start.ArgumentList.Add(stateDirectory);
        foreach (var key in logKeys ?? [])
        {
            start.ArgumentList.Add("--log-key");
            start.ArgumentList.Add(key);
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    [GeneratedRegex(@"serving at (?<address>http://[^,;\s]+)")]
    private static partial Regex ServingAt();
}
