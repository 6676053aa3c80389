using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>Ledger:Webhooks settings.</summary>
public sealed class WebhookOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The first retry waits this long; each further failure doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest one delivery may take, from connecting to the last byte read.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Subscriptions one node delivers at the same time (each has at most one request in flight).</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>Whether webhooks may reach the service's own network (loopback, private ranges, …). Defaults to true in Development only.</summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>
/// Delivers events to webhooks in ledger order, one event per request, signed with HMAC-SHA256
/// over "timestamp.body" (header <c>Ledger-Signature: t=…,v1=…</c>). A failure stops that
/// subscription where it is and retries the same event with exponential backoff, so nothing is
/// skipped or reordered. Subscriptions are leased row by row, so several nodes share the work, and
/// delivered side by side (up to <see cref="WebhookOptions.MaxConcurrentDeliveries"/>), so a receiver
/// that hangs holds only its own subscription back.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookStore store, EventFeed feed, IHttpClientFactory http, TimeProvider clock,
    IOptions<WebhookOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>The most of a receiver's response that is read; the rest is never fetched.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    private const int BatchSize = 100;

    /// <summary>This dispatcher's name in <c>lease_holder</c>, unique per instance; each leasing adds a number, so a lease taken anew is never mistaken for an older one.</summary>
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private long _leasings;

    /// <summary>
    /// How long a lease lasts past its last renewal. A lease is renewed before every request and a
    /// request ends within <see cref="WebhookOptions.Timeout"/>, so no other node can take a
    /// subscription while its request is in flight; a dead node's work moves on after this.
    /// </summary>
    private TimeSpan LeaseFor => options.Value.Timeout * 3;

    public static string Signature(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        var sealedPlainSecrets = false;
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var done in running.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
                {
                    running.Remove(done);
                }

                try
                {
                    if (!sealedPlainSecrets)
                    {
                        var count = await store.SealPlainSecretsAsync(stoppingToken);
                        sealedPlainSecrets = true;
                        if (count > 0)
                        {
                            LogSealed(logger, count);
                        }
                    }

                    var free = Math.Max(1, options.Value.MaxConcurrentDeliveries) - running.Count;
                    if (free <= 0)
                    {
                        continue;
                    }

                    // A subscription whose delivery still runs here is not leased again, even when that
                    // delivery stalled past its lease: another node takes it over, and this one stops at
                    // its next write, as it no longer holds the lease.
                    var holder = $"{_holder}/{++_leasings}";
                    foreach (var lease in await store.LeaseDueAsync(holder, clock.GetUtcNow(), LeaseFor, free, [.. running.Keys], stoppingToken))
                    {
                        running[lease.Id] = DeliverGuardedAsync(lease, stoppingToken);
                    }
                }
                catch (Npgsql.NpgsqlException e)
                {
                    LogDatabase(logger, e);
                }
            }
        }
        finally
        {
            // Stopping: the in-flight requests see the cancellation; their leases lapse or were released.
            await Task.WhenAll(running.Values);
        }
    }

    private async Task DeliverGuardedAsync(WebhookStore.Lease lease, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await DeliverAsync(lease, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Npgsql.NpgsqlException e)
        {
            LogDatabase(logger, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lease lapses and the delivery is tried again then; the dispatcher keeps serving the others.
            LogUnexpected(logger, lease.Id, e);
        }
    }

    private async Task DeliverAsync(WebhookStore.Lease lease, CancellationToken ct)
    {
        var page = await feed.ReadAsync(lease.Position, BatchSize, lease.Types, ct);
        var client = http.CreateClient(HttpClientName);
        client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
        foreach (var e in page.Events)
        {
            if (lease.Secret is null)
            {
                await FailAsync(lease, e.Position, null, lease.SecretFailure!, ct);
                return;
            }

            if (!await store.RenewAsync(lease, LeaseFor, ct))
            {
                LogLeaseLost(logger, lease.Id, e.Position);
                return;
            }

            var (status, error) = await SendAsync(client, lease, e, ct);
            if (error is not null)
            {
                await FailAsync(lease, e.Position, status, error, ct);
                return;
            }

            if (!await store.DeliveredAsync(lease, e.Position, status!.Value, clock.GetUtcNow(), ct))
            {
                // Another node holds the subscription now (this one stalled past its lease): it delivers from here.
                LogLeaseLost(logger, lease.Id, e.Position);
                return;
            }

            lease = lease with { Failures = 0 };
        }

        if (!await store.AdvanceAndReleaseAsync(lease, page.Next, clock.GetUtcNow(), ct))
        {
            LogLeaseLost(logger, lease.Id, page.Next);
        }
    }

    private async Task FailAsync(WebhookStore.Lease lease, long position, int? status, string error, CancellationToken ct)
    {
        var delay = TimeSpan.FromTicks(Math.Min(options.Value.MaxRetryDelay.Ticks, options.Value.RetryBase.Ticks * (1L << Math.Min(lease.Failures, 20))));
        if (await store.FailedAsync(lease, status, error, clock.GetUtcNow() + delay, ct))
        {
            LogFailed(logger, lease.Id, position, error, delay);
        }
    }

    /// <summary>One request: its status, and what failed in words (never an address or exception text), or null.</summary>
    private async Task<(int? Status, string? Error)> SendAsync(HttpClient client, WebhookStore.Lease lease, FeedEvent e, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(e, json.Value.SerializerOptions);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, lease.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Ledger-Webhook-Id", lease.Id);
        request.Headers.Add("Ledger-Event-Position", e.Position.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Ledger-Signature", $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Signature(lease.Secret!, timestamp, body)}");

        // One deadline for the whole exchange: connecting, the headers, and the part of the body read.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Value.Timeout);
        int? status = null;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            status = (int)response.StatusCode;
            await DrainAsync(response.Content, deadline.Token);
            return (int)response.StatusCode switch
            {
                >= 200 and < 300 => (status, null),
                >= 300 and < 400 => (status, $"status {status} (redirects are not followed)"),
                _ => (status, $"status {status}"),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (status, $"timeout (no complete answer within {options.Value.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)");
        }
        catch (HttpRequestException x)
        {
            return (status, Describe(x));
        }
    }

    /// <summary>
    /// Reads at most <see cref="MaxResponseBytes"/> of the body, then lets the rest go: disposing the
    /// response closes a connection whose body was not read to its end, so a receiver that streams
    /// without end costs one small buffer and the deadline, never memory.
    /// </summary>
    private static async Task DrainAsync(HttpContent content, CancellationToken ct)
    {
        var buffer = new byte[8 * 1024];
        await using var stream = await content.ReadAsStreamAsync(ct);
        var read = 0;
        try
        {
            int n;
            while (read < MaxResponseBytes && (n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, MaxResponseBytes - read)), ct)) > 0)
            {
                read += n;
            }
        }
        catch (Exception x) when (x is IOException or HttpRequestException)
        {
            // The status has arrived and decides; a body cut short changes nothing.
        }
    }

    /// <summary>What failed, in words for <c>lastError</c>: the address and the exception text stay in no stored field.</summary>
    public static string Describe(HttpRequestException x)
    {
        for (Exception? inner = x; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case ForbiddenDestinationException forbidden:
                    return $"refused: a {forbidden.Kind} address, which webhooks may not reach";
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                        SocketError.TimedOut => "timeout",
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown => "unreachable",
                        SocketError.ConnectionReset or SocketError.ConnectionAborted => "connection reset",
                        _ => "connection failed",
                    };
            }
        }

        return x.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "the receiver closed the connection without an answer",
            HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "not a valid HTTP response",
            HttpRequestError.ConfigurationLimitExceeded => "response headers too large",
            _ => "request failed",
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id}: delivering position {Position} failed ({Error}); retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, string id, long position, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id}: another node holds the subscription since this one's lease lapsed; stopped before recording position {Position}")]
    private static partial void LogLeaseLost(ILogger logger, string id, long position);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Count} webhook secret(s) stored in plain text by an earlier version under Ledger:Webhooks:SecretKey")]
    private static partial void LogSealed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Id}: delivery failed unexpectedly; tried again when its lease lapses")]
    private static partial void LogUnexpected(ILogger logger, string id, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery could not reach PostgreSQL; will retry")]
    private static partial void LogDatabase(ILogger logger, Exception exception);
}
