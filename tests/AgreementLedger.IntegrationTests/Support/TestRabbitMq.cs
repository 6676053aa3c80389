using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The RabbitMQ broker of one test run: the broker named by LEDGER_TEST_RABBITMQ (an AMQP URI), or a
/// private node started from the machine's rabbitmq-server (Debian package; `./build.sh` installs it)
/// on free loopback ports, with its own epmd, data and cookie in a temporary folder, stopped and
/// removed when the run ends — however it ends.
/// </summary>
public static class TestRabbitMq
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly Lazy<Task<Uri>> Broker = new(StartAsync);

    public static Task<Uri> UriAsync() => Broker.Value;

    private static async Task<Uri> StartAsync()
    {
        // A node that does not come up (seen once under heavy load, with no output at all) is
        // stopped and a fresh one started on new ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(attempt == 1 ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<Uri> StartOnceAsync(TimeSpan within)
    {
        var external = Environment.GetEnvironmentVariable("LEDGER_TEST_RABBITMQ");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new Uri(external);
        }

        if (!File.Exists(Server))
        {
            throw new InvalidOperationException(
                $"{Server} not found: the RabbitMQ tests need a real broker. Install it with 'apt-get install rabbitmq-server' " +
                "(./build.sh does), or set LEDGER_TEST_RABBITMQ to an AMQP URI.");
        }

        var root = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"rabbitmq-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        int amqp = FreePort(), distribution = FreePort(), epmd = FreePort();
        while (distribution == amqp || epmd == amqp || epmd == distribution)
        {
            (distribution, epmd) = (FreePort(), FreePort());
        }
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"),
            $"listeners.tcp.default = 127.0.0.1:{amqp}\nloopback_users = none\nlog.console = false\nlog.file.level = warning\n");
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[].\n");

        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "sh", "-c", $"exec '{Server}' >'{root}/server.out' 2>&1 </dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        var node = $"ledgertest{amqp}@localhost";
        start.Environment["HOME"] = root;
        start.Environment["ERL_EPMD_PORT"] = epmd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_NODENAME"] = node;
        start.Environment["RABBITMQ_BASE"] = root;
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins");
        start.Environment["RABBITMQ_DIST_PORT"] = distribution.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("rabbitmq-server did not start");
        StartReaper(process.Id, epmd, root);

        var watch = Stopwatch.StartNew();
        while (!await AcceptsAsync(amqp))
        {
            if (watch.Elapsed > within)
            {
                var logs = Directory.Exists(root)
                    ? string.Join("\n", Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                        .Where(f => f.EndsWith(".log", StringComparison.Ordinal) || f.EndsWith(".out", StringComparison.Ordinal))
                        .Select(f => $"--- {f}\n{File.ReadAllText(f)}"))
                    : "";
                Console.Error.WriteLine($"RabbitMQ did not accept connections on port {amqp} within {within.TotalSeconds:F0} s; stopping it:\n{logs}");
                Stop(process.Id, epmd);
                throw new TimeoutException($"RabbitMQ did not accept connections on port {amqp} within {within.TotalSeconds:F0} s");
            }

            await Task.Delay(200);
        }

        return new Uri($"amqp://guest:guest@127.0.0.1:{amqp}/");
    }

    /// <summary>
    /// A detached watcher stops the broker (its whole process group), its private epmd, and removes
    /// its folder once the test process is gone.
    /// </summary>
    private static void StartReaper(int group, int epmdPort, string root)
    {
        var script = "exec >/dev/null 2>&1 </dev/null; "
            + $"while kill -0 {Environment.ProcessId}; do sleep 0.5; done; "
            + $"kill -TERM -- -{group}; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- -{group} || break; sleep 0.5; done; kill -KILL -- -{group}; "
            + $"ERL_EPMD_PORT={epmdPort} epmd -kill; rm -rf '{root}'";
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        // bash, not sh: dash's kill cannot signal a process group.
        foreach (var arg in new[] { "bash", "-c", script })
        {
            start.ArgumentList.Add(arg);
        }

        Process.Start(start)?.Dispose();
    }

    private static void Stop(int group, int epmdPort)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", $"kill -KILL -- -{group}; ERL_EPMD_PORT={epmdPort} epmd -kill" })
        {
            start.ArgumentList.Add(arg);
        }

        using var stop = Process.Start(start);
        stop?.WaitForExit(10_000);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
