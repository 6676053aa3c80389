using System.Collections.Concurrent;
using System.Diagnostics;
using AgreementLedger.Client;
using AgreementLedger.IntegrationTests.Conventions;
using AgreementLedger.IntegrationTests.Support;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Client;

/// <summary>
/// A downstream service built on the client (samples/AgreementLedger.FeedMirror, run as a process
/// of its own) follows the feed while events are written throughout, is killed and restarted, the
/// service is killed and restarted under it, and it ends with every event exactly once. Beside it
/// an in-process follower whose tokens expire every few seconds resumes the stream with
/// <c>Last-Event-ID</c> each time.
/// </summary>
public sealed class FeedFollowerTests : IAsyncLifetime
{
    private string _ledger = "";
    private string _mirror = "";

    public async Task InitializeAsync()
    {
        _ledger = await TestDatabase.CreateAsync();
        _mirror = await TestDatabase.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await TestDatabase.DropAsync(_ledger);
        await TestDatabase.DropAsync(_mirror);
    }

    [Fact]
    public async Task a_downstream_service_ends_with_every_event_exactly_once_across_restarts_of_itself_and_of_the_service()
    {
        var port = ServiceProcess.FreePort();
        // Tokens are judged without clock skew, so that a short-lived token ends its stream within seconds;
        // the claim of a keyed command that died with the killed process blocks its retry for 5 s, not 2 min.
        var settings = new Dictionary<string, string>
        {
            ["Ledger__Auth__ClockSkew"] = "00:00:00",
            ["Ledger__Idempotency__InFlightLease"] = "00:00:05",
        };
        var service = await ServiceProcess.StartAsync(_ledger, settings, port: port);
        using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(10) };
        var writer = new LedgerClient(http, new LedgerClientOptions
        {
            AccessToken = _ => ValueTask.FromResult<string?>(TestTokens.Admin),
            MaxRetries = 200,
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        });

        using var stop = new CancellationTokenSource();
        var written = 0;
        var writing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var id = Given.NewId("follow");
                await writer.ProposeAsync(new Proposal("Followed", AgreementKinds.Forum, ["JP", "US"], [], id), ct: CancellationToken.None);
                Interlocked.Increment(ref written);
                for (var i = 0; i < 4 && !stop.IsCancellationRequested; i++)
                {
                    await writer.CiteSourceAsync(id, new Citation("Reuters", Note: $"report {i}"), ct: CancellationToken.None);
                    Interlocked.Increment(ref written);
                }
            }
        });

        // Beside the mirror, a follower in this process whose tokens last 3 s: each stream ends with its token.
        var followed = new ConcurrentQueue<LedgerEvent>();
        var streamOpenings = new StreamOpenings { InnerHandler = new HttpClientHandler() };
        using var followerHttp = new HttpClient(streamOpenings) { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(10) };
        var follower = new FeedFollower(
            new LedgerClient(followerHttp, new LedgerClientOptions { AccessToken = _ => ValueTask.FromResult<string?>(TestTokens.Lasting(TimeSpan.FromSeconds(3), "follower", "subscriber")) }),
            new FeedFollowerOptions { PageSize = 7, MaxReconnectDelay = TimeSpan.FromMilliseconds(500) });
        using var stopFollowing = new CancellationTokenSource();
        var following = follower.RunAsync(0, (batch, _) =>
        {
            foreach (var e in batch.Events)
            {
                followed.Enqueue(e);
            }

            return Task.CompletedTask;
        }, stopFollowing.Token);

        var mirror = StartMirror(service.Address);
        try
        {
            await UntilAsync(async () => await MirroredAsync() >= 20, "the mirror to copy 20 events");
            mirror.Kill();
            var mirroredBeforeKill = await MirroredAsync();
            await UntilAsync(() => Task.FromResult(Volatile.Read(ref written) >= mirroredBeforeKill + 15), "15 more events while the mirror is down");
            mirror = StartMirror(service.Address);
            await UntilAsync(async () => await MirroredAsync() >= mirroredBeforeKill + 15, "the restarted mirror to catch up");

            // The service dies under both followers and the writer, and comes back at the same address.
            await service.DisposeAsync();
            var writtenWhileDown = Volatile.Read(ref written);
            await Task.Delay(1500);
            service = await ServiceProcess.StartAsync(_ledger, settings, port: port);
            await UntilAsync(() => Task.FromResult(Volatile.Read(ref written) >= writtenWhileDown + 20), "20 more events after the restart");
            await Task.Delay(4000); // beyond one token's life: the in-process follower's stream ends and resumes
            await stop.CancelAsync();
            await writing;

            // The feed serves an event once every lower position is safe, which a read right after the
            // last answer may not see yet: read until it holds every acknowledged event (or 20 s pass).
            var ledger = await AllEventsAsync(writer);
            for (var attempt = 0; ledger.Count < Volatile.Read(ref written) && attempt < 200; attempt++)
            {
                await Task.Delay(100);
                ledger = await AllEventsAsync(writer);
            }

            await UntilAsync(async () => await MirrorPositionAsync() >= ledger[^1].Position, "the mirror to reach the ledger's last event");
            await UntilAsync(() => Task.FromResult(followed.LastOrDefault()?.Position >= ledger[^1].Position), "the in-process follower to reach the ledger's last event");
            await stopFollowing.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);

            var mirrored = await MirroredPositionsAsync();
            Assert.Equal(Volatile.Read(ref written), ledger.Count);
            Assert.Equal(ledger.Select(e => (e.Position, e.Hash)), mirrored);
            Assert.Equal(ledger.Select(e => (e.Position, e.Hash)), followed.Select(e => (e.Position, e.Hash)));
            Assert.True(streamOpenings.Resumed >= 2, $"the stream was resumed with Last-Event-ID {streamOpenings.Resumed} times");
            // The first mirror started from the beginning; the restarted one from the position it had stored.
            var starts = _mirrorOutput.Where(l => l.StartsWith("Mirroring", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, starts.Count);
            Assert.EndsWith("after position 0", starts[0]);
            Assert.Matches(@"after position [1-9][0-9]*$", starts[1]);
        }
        finally
        {
            mirror.Kill();
            await service.DisposeAsync();
        }
    }

    private readonly ConcurrentQueue<string> _mirrorOutput = new();

    private MirrorProcess StartMirror(Uri ledger) => MirrorProcess.Start(ledger, TestTokens.For("mirror", "subscriber"), _mirror, _mirrorOutput);

    private async Task<long> MirroredAsync() => await ScalarAsync("select count(*) from mirrored_events");

    private async Task<long> MirrorPositionAsync() => await ScalarAsync("select coalesce((select position from mirror_position), 0)");

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_mirror);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("select to_regclass('mirrored_events') is not null", connection);
        if (!(bool)(await exists.ExecuteScalarAsync())!)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<(long, string)>> MirroredPositionsAsync()
    {
        await using var connection = new NpgsqlConnection(_mirror);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select position, hash from mirrored_events order by position", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<List<LedgerEvent>> AllEventsAsync(LedgerClient client)
    {
        var events = new List<LedgerEvent>();
        long after = 0;
        while (true)
        {
            var page = await client.GetEventsAsync(after, 1000);
            events.AddRange(page.Events);
            if (page.Next == after)
            {
                return events;
            }

            after = page.Next;
        }
    }

    private async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Waited 60 s for {what}; the mirror printed:\n{string.Join('\n', _mirrorOutput.TakeLast(30))}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Counts the stream requests that carried <c>Last-Event-ID</c>.</summary>
    private sealed class StreamOpenings : DelegatingHandler
    {
        private int _resumed;

        public int Resumed => Volatile.Read(ref _resumed);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath == "/events/stream" && request.Headers.Contains("Last-Event-ID"))
            {
                Interlocked.Increment(ref _resumed);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The sample mirror as a process of its own, killed as a crash would.</summary>
    private sealed class MirrorProcess
    {
        private readonly Process _process;

        private MirrorProcess(Process process) => _process = process;

        public static MirrorProcess Start(Uri ledger, string token, string database, ConcurrentQueue<string> output)
        {
            // Its own output folder, with its own dependencies: bin/<configuration>/<framework>/ as this test's.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var folder = Path.Combine(Repository.Root, "samples", "AgreementLedger.FeedMirror", "bin", framework.Parent!.Name, framework.Name);
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(folder, "AgreementLedger.FeedMirror.dll"));
            start.Environment["LEDGER_URL"] = ledger.ToString();
            start.Environment["LEDGER_TOKEN"] = token;
            start.Environment["MIRROR_DATABASE"] = database;
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new MirrorProcess(process);
        }

        private bool _gone;

        public void Kill()
        {
            if (_gone)
            {
                return;
            }

            _gone = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }
}
