using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>The real service as a separate operating-system process, on a loopback port.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private TextWriter? _log;
    private string? _logFile;

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Admin);
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// Starts a node in the Testing environment with the run's token and digest keys, listening on
    /// <paramref name="listenOn"/> (a host name or address) and a free port; <paramref name="environment"/> adds to
    /// or overrides its variables, and an empty value removes one. <paramref name="port"/> names the
    /// port, so that a node restarted after <see cref="Kill"/> serves at the same address.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? environment = null, string listenOn = "127.0.0.1", int? port = null)
    {
        port ??= FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgreementLedger.Api.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = $"http://{listenOn}:{port}";
        start.Environment["ConnectionStrings__Ledger"] = connectionString;
        start.Environment["Ledger__Auth__SigningKey"] = TestTokens.Key;
        start.Environment["Ledger__Audit__SigningKey"] = TestAuditKey.Pkcs8;
        start.Environment["Ledger__Webhooks__SecretKey"] = TestWebhookKey.Base64;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start)!;
        var log = Path.Combine(Path.GetTempPath(), $"agreement-ledger-node-{port}.log");
        var writer = TextWriter.Synchronized(new StreamWriter(log) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { writer.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { writer.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}")) { _log = writer, _logFile = log };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service process exited with {process.ExitCode} during start-up; its output: {File.ReadAllText(log)}");
            }

            try
            {
                using var ready = await service.Client.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        await service.DisposeAsync();
        throw new TimeoutException("The service process did not become ready within 60 s.");
    }

    /// <summary>Ends the process at once, as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        _log?.Dispose();
        if (_logFile is not null && Environment.GetEnvironmentVariable("LEDGER_KEEP_NODE_LOGS") is null)
        {
            File.Delete(_logFile);
        }

        return ValueTask.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
