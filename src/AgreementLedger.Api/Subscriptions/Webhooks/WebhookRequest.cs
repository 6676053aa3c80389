using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// One delivery on the wire: the signed POST of one event (header <c>Ledger-Signature: t=…,v1=…</c>, HMAC-SHA256
/// over "timestamp.body"), one deadline for the whole exchange, at most <see cref="MaxResponseBytes"/> of the
/// answer read, and what failed said in words fit for <c>lastError</c>.
/// </summary>
public static class WebhookRequest
{
    /// <summary>The most of a receiver's response that is read; the rest is never fetched.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    public static string Signature(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")));

    /// <summary>One request: its status, and what failed in words (never an address or exception text), or null.</summary>
    public static async Task<(int? Status, string? Error)> SendAsync(
        HttpClient client, WebhookLeases.Lease lease, FeedEvent e, JsonSerializerOptions json, TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(e, json);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, lease.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Ledger-Webhook-Id", lease.Id);
        request.Headers.Add("Ledger-Event-Position", e.Position.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Ledger-Signature", $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Signature(lease.Secret!, timestamp, body)}");

        // One deadline for the whole exchange: connecting, the headers, and the part of the body read.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
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
            return (status, $"timeout (no complete answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)");
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
}
