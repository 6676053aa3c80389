using System.Net;
using System.Net.Sockets;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// A loopback TCP relay in front of PostgreSQL that a test can cut (every connection reset, new
/// ones refused) and restore on the same port: the database "goes away" for the service only.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    /// <summary>
    /// The server's CommandComplete of a COMMIT: 'C', its length (11), "COMMIT", NUL — however the client sent the
    /// commit (a simple query, or a statement of a batch, prepared or not).
    /// </summary>
    private static readonly byte[] Committed = [(byte)'C', 0, 0, 0, 11, .. "COMMIT"u8, 0];

    private readonly int _target;
    private LostCommit? _loseCommit;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    public TcpForwarder(int targetPort)
    {
        _target = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Open();
    }

    public int Port { get; }

    public void Open()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Resets every relayed connection and refuses new ones until <see cref="Open"/>.</summary>
    public void Cut()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                try
                {
                    // An RST rather than a FIN: the database vanished, it did not say goodbye.
                    client.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }

                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>
    /// Lets the next commit on a connection that has carried <paramref name="marker"/> (a value only
    /// the test's own command sends) reach the server, then resets that connection the moment the
    /// server answers that it committed: the transaction is committed and the client never learns it.
    /// </summary>
    public Task LoseNextCommitAnswerAfter(string marker)
    {
        var lost = new LostCommit(System.Text.Encoding.UTF8.GetBytes(marker));
        _loseCommit = lost;
        return lost.Done.Task;
    }

    private sealed class LostCommit(byte[] marker)
    {
        public byte[] Marker { get; } = marker;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>What one relayed connection has shown of the armed commit.</summary>
    private sealed class Watch
    {
        public volatile bool SawMarker;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target, ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            var watch = new Watch();
            _ = PumpAsync(inbound, outbound, watch, toServer: true, ct);
            _ = PumpAsync(outbound, inbound, watch, toServer: false, ct);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, Watch watch, bool toServer, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                var chunk = buffer.AsSpan(0, read);
                if (toServer && _loseCommit is { } armed)
                {
                    watch.SawMarker |= chunk.IndexOf(armed.Marker) >= 0;
                }
                else if (!toServer && watch.SawMarker && _loseCommit is { } sent && chunk.IndexOf(Committed) >= 0
                    && Interlocked.CompareExchange(ref _loseCommit, null, sent) == sent)
                {
                    // The server has committed and answers: the client gets a reset instead.
                    to.Client.LingerState = new LingerOption(true, 0);
                    sent.Done.TrySetResult();
                    return;
                }

                await sink.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
