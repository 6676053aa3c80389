using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.MultiNode;

/// <summary>
/// A client that opens <c>/events/stream</c> and stops reading is dropped once it has taken nothing
/// for the slow-client timeout, instead of the service buffering the ledger for it; commands go on
/// meanwhile. Needs a real socket (hence a real process): Alba's in-memory server has no back-pressure.
/// </summary>
public sealed class SlowStreamClientTests : IAsyncLifetime
{
    private const int FatEvents = 4000;
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await TestDatabase.DropAsync(_connectionString);

    [Fact]
    public async Task a_client_that_stops_reading_is_dropped_and_writers_go_on()
    {
        await using var node = await ServiceProcess.StartAsync(_connectionString, new Dictionary<string, string>
        {
            ["Ledger__Events__SlowClientTimeout"] = "00:00:02",
            ["Ledger__Integration__Enabled"] = "false",
        });
        var id = Given.NewId("slow");
        using (var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }))
        {
            Assert.Equal(201, (int)proposed.StatusCode);
        }

        // About 8 MB of events, more than the socket buffers on both ends and Kestrel's can hold.
        // Written straight into the table: the stream only reads it.
        await using (var db = new Npgsql.NpgsqlConnection(_connectionString))
        {
            await db.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, headers, user_name) " +
                "select nextval('ledger.mt_events_sequence'), gen_random_uuid(), $1, 1 + n, " +
                "jsonb_build_object('publisher', repeat('x', 2000), 'occurredOn', '2024-01-01'), 'source_cited', now(), '{}'::jsonb, 'test' " +
                "from generate_series(1, $2) n", db);
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = FatEvents });
            await insert.ExecuteNonQueryAsync();
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(node.Address.Host, node.Address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: 0\r\n" +
            $"Authorization: Bearer {TestTokens.Admin}\r\n\r\n"));

        // The client reads nothing now. Commands are answered meanwhile.
        await Task.Delay(500);
        var command = Stopwatch.StartNew();
        using (var proposed = await node.Client.PostAsJsonAsync("/agreements", new { id = Given.NewId("writer"), title = "T", kind = "forum", parties = new[] { "US" }, areas = Array.Empty<string>() }))
        {
            Assert.Equal(201, (int)proposed.StatusCode);
        }

        Assert.True(command.Elapsed < TimeSpan.FromSeconds(5), $"a command took {command.Elapsed} while a stream client was stuck");

        // Wait until the service can send no more (what waits in this socket's buffer stops growing: the window is
        // closed, whatever the machine's load made the service take to get there), then twice the timeout.
        var stalled = Stopwatch.StartNew();
        var (waiting, unchanged) = (socket.Available, Stopwatch.StartNew());
        while (unchanged.Elapsed < TimeSpan.FromSeconds(1.5) && stalled.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            if (socket.Available != waiting || waiting == 0)
            {
                (waiting, unchanged) = (socket.Available, Stopwatch.StartNew());
            }
        }

        Assert.True(waiting > 0, $"the service sent nothing in {stalled.Elapsed}");
        await Task.Delay(TimeSpan.FromSeconds(4));

        // Now read: what was buffered arrives, then the connection ends — long before all the events.
        var buffer = new byte[64 * 1024];
        long received = 0;
        var ended = false;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
                if (n == 0)
                {
                    ended = true;
                    break;
                }

                received += n;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            ended = true;
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(ended, $"the stuck client was never dropped (it went on receiving: {received:N0} bytes)");
        Assert.True(received < FatEvents * 2000L, $"the dropped client still received {received:N0} bytes: the whole ledger was buffered for it");
    }
}
