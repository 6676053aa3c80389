using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace AgreementLedger.Benchmarks.Suite;

/// <summary>
/// The service as its own process (Production environment, Kestrel on loopback), so its memory is
/// its own and the load driver talks to it over real sockets.
/// </summary>
public sealed partial class ServiceUnderLoad : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceUnderLoad(Process process, Uri address, TimeSpan startedIn)
    {
        _process = process;
        Address = address;
        StartedIn = startedIn;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        Client.DefaultRequestHeaders.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(BenchmarkLedger.AdminBearer);
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>From process start to the first 200 of <c>firstRequest</c>.</summary>
    public TimeSpan StartedIn { get; }

    public int ProcessId => _process.Id;

    private static Task<string>? _published;

    /// <summary>
    /// The production artifact, as deploy/Dockerfile builds it: published for linux-x64 with
    /// ReadyToRun, once per suite run (falls back to this build's copy if publishing fails).
    /// </summary>
    public static Task<string> PublishAsync() => _published ??= PublishOnceAsync();

    private static async Task<string> PublishOnceAsync()
    {
        // One folder per checkout: two worktrees benchmarked on one machine must not publish over each other's service.
        var repository = Repository();
        var checkout = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(repository)))[..12];
        var output = Path.Combine(Path.GetTempPath(), "agreement-ledger-bench", $"service-r2r-{checkout}");
        var project = Path.Combine(repository, "src", "AgreementLedger.Api");
        // Published afresh: an assembly left in the folder by an earlier publish would still be loaded (JasperFx's command
        // discovery loads every assembly there) and measured.
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var publish = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output })
        {
            publish.ArgumentList.Add(arg);
        }

        Console.WriteLine("publishing the service (Release, linux-x64, ReadyToRun) …");
        using var process = Process.Start(publish)!;
        var log = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"publish failed ({process.ExitCode}); measuring this build's copy instead:\n{log}");
            return AppContext.BaseDirectory;
        }

        // Roslyn is for Development and `codegen write` only (the project's csproj): one published would be loaded and measured.
        if (Directory.EnumerateFiles(output, "Microsoft.CodeAnalysis*.dll").FirstOrDefault() is { } roslyn)
        {
            throw new InvalidOperationException($"the published service carries Roslyn ({Path.GetFileName(roslyn)}): WolverineFx.RuntimeCompilation must not be published");
        }

        return output;
    }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgreementLedger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgreementLedger.sln not found above " + AppContext.BaseDirectory);
    }

    /// <param name="settings">Settings of this process only, as environment variables (<c>Ledger__Audit__TreeEnabled</c>).</param>
    public static async Task<ServiceUnderLoad> StartAsync(
        string connectionString, string firstRequest, string? folder = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        folder ??= AppContext.BaseDirectory;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(folder, "AgreementLedger.Api.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["Ledger__Auth__SigningKey"] = BenchmarkLedger.TokenKey;
        start.Environment["Ledger__Audit__SigningKey"] = BenchmarkLedger.AuditSigningKey;
        start.Environment["Ledger__Webhooks__SecretKey"] = BenchmarkLedger.WebhookSecretKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        // For diagnosis only: LEDGER_BENCH_SERVICE_ENV="Name=value;Name=value" changes the service's settings.
        foreach (var pair in (Environment.GetEnvironmentVariable("LEDGER_BENCH_SERVICE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            start.Environment[parts[0]] = parts.Length > 1 ? parts[1] : "";
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && output.Count < 2000) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && output.Count < 2000) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        probe.DefaultRequestHeaders.Authorization = System.Net.Http.Headers.AuthenticationHeaderValue.Parse(BenchmarkLedger.AdminBearer);
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode}:\n{string.Join('\n', output)}");
            }

            try
            {
                using var answer = await probe.GetAsync(firstRequest);
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    return new ServiceUnderLoad(process, probe.BaseAddress, watch.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(10);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The service did not answer 200 within 120 s.");
    }

    /// <summary>Resident set size now and its peak since start (VmRSS, VmHWM), in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        var status = File.ReadAllText($"/proc/{_process.Id}/status");
        return (Kb(status, "VmRSS"), Kb(status, "VmHWM"));
    }

    /// <summary>Bytes the service allocated on the managed heap so far (from its Prometheus metrics).</summary>
    public async Task<double> AllocatedBytesAsync()
    {
        var metrics = await Client.GetStringAsync("/metrics");
        var match = AllocatedMetric().Match(metrics);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    [GeneratedRegex(@"^dotnet_gc_heap_total_allocated_bytes_total(?:\{[^}]*\})? ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex AllocatedMetric();

    private static long Kb(string status, string field)
    {
        var line = status.Split('\n').First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
