using System.Globalization;
using System.Text.Json;
using AgreementLedger.Infrastructure;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace AgreementLedger.Subscriptions;

/// <summary>Ledger:Events settings.</summary>
public sealed class EventStreamOptions
{
    /// <summary>The longest silence on an event stream; docs/api.md allows at most 15 s, so larger values are capped.</summary>
    public TimeSpan Heartbeat { get; set; } = StreamEventsEndpoint.MaxHeartbeat;

    /// <summary>A client that takes no bytes for this long while the stream has some to send is dropped.</summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Open streams one principal may hold on this node; one more is 429 (docs/api.md, default 8).</summary>
    public int MaxStreamsPerPrincipal { get; set; } = 8;
}

/// <summary>The event streams open on this node, per principal.</summary>
public sealed class OpenStreams
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    public bool TryOpen(string principal, int max)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(principal);
            if (open >= max)
            {
                return false;
            }

            _open[principal] = open + 1;
            return true;
        }
    }

    public void Close(string principal)
    {
        lock (_open)
        {
            if (_open.TryGetValue(principal, out var open))
            {
                if (open <= 1)
                {
                    _open.Remove(principal);
                }
                else
                {
                    _open[principal] = open - 1;
                }
            }
        }
    }
}

/// <summary>
/// <c>GET /events/stream?types=</c>: the feed as Server-Sent Events (<c>id:</c> is the position).
/// Starts at once with a comment line; resumes after <c>Last-Event-ID</c>, else from events committed
/// from now on — the start is fixed before the first byte is sent, so nothing committed after the
/// client has the headers is missed; a heartbeat comment at least every 15 s. A principal holds at
/// most <see cref="EventStreamOptions.MaxStreamsPerPrincipal"/> streams on a node, and a stream
/// ends when the token that opened it expires (plus the configured clock skew). Each page is written and flushed before
/// the next is read, so a slow client holds at most one page (plus the socket's buffers); one that
/// takes nothing for <see cref="EventStreamOptions.SlowClientTimeout"/> is dropped and the drop logged.
/// Writers never wait for a stream: it only reads committed events.
/// </summary>
public static partial class StreamEventsEndpoint
{
    public static readonly TimeSpan MaxHeartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    [WolverineGet("/events/stream", OperationId = "streamEvents")]
    [EndpointSummary("The feed as Server-Sent Events")]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/event-stream", Description = "`id:` is the position, `event:` the event type, `data:` the feed item as one line of JSON; a comment line first and a heartbeat comment at least every 15 s.")]
    public static async Task Get(
        string? types, EventFeed feed, HttpContext http, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<EventStreamOptions> options,
        OpenStreams streams, Infrastructure.Auth.LedgerAuth.AuthMode auth, TimeProvider clock, ILogger<EventStreamOptions> logger)
    {
        var slowClient = options.Value.SlowClientTimeout;
        var heartbeat = options.Value.Heartbeat < MaxHeartbeat ? options.Value.Heartbeat : MaxHeartbeat;
        var checks = new Checks();
        var wanted = feed.ParseTypes(types, checks);
        long? resumeAfter = null;
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0)
        {
            if (long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                resumeAfter = parsed;
            }
            else
            {
                checks.Add("Last-Event-ID", "must be a position this stream sent as id:");
            }
        }

        if (!checks.Ok)
        {
            await Problems.Result(checks.Result()).ExecuteAsync(http);
            return;
        }

        var principal = Principal.NameOf(http.User);
        var max = options.Value.MaxStreamsPerPrincipal;
        if (!streams.TryOpen(principal, max))
        {
            http.Response.Headers.RetryAfter = "5";
            await Problems.Result(Problems.Create(StatusCodes.Status429TooManyRequests, Problems.RateLimited, "Too many open event streams",
                $"'{principal}' already holds {max} open event streams on this node; close one, or retry later.")).ExecuteAsync(http);
            return;
        }

        // Ends with the request, or once the token that opened the stream has expired.
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (ExpiresAt(http.User) is { } expires && expires + auth.ClockSkew - clock.GetUtcNow() is var left && left < TimeSpan.FromDays(24))
        {
            lifetime.CancelAfter(Max(left, TimeSpan.Zero));
        }

        var ct = lifetime.Token;
        long after = 0;
        var metrics = http.RequestServices.GetRequiredService<LedgerMetrics>();
        metrics.StreamConsumerConnected();
        try
        {
            // Fixed before the first byte: an event committed once the client has the headers lies beyond it.
            after = resumeAfter ?? await feed.SafePositionAsync(ct);
            http.Response.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await WriteAsync(http, ": agreement-ledger event stream\n\n", slowClient, ct);
            var lastWrite = DateTimeOffset.UtcNow;
            while (!ct.IsCancellationRequested)
            {
                var page = await feed.ReadAsync(after, 500, wanted, ct);
                if (page.Events.Count > 0)
                {
                    var text = new System.Text.StringBuilder();
                    foreach (var e in page.Events)
                    {
                        text.Append("id: ").Append(e.Position.ToString(CultureInfo.InvariantCulture)).Append('\n')
                            .Append("event: ").Append(e.Type).Append('\n')
                            .Append("data: ").Append(JsonSerializer.Serialize(e, json.Value.SerializerOptions)).Append("\n\n");
                    }

                    await WriteAsync(http, text.ToString(), slowClient, ct);
                    lastWrite = DateTimeOffset.UtcNow;
                }

                after = page.Next;
                if (page.Events.Count == 0)
                {
                    if (DateTimeOffset.UtcNow - lastWrite >= heartbeat)
                    {
                        await WriteAsync(http, ": heartbeat\n\n", slowClient, ct);
                        lastWrite = DateTimeOffset.UtcNow;
                    }

                    await Task.Delay(heartbeat < Poll ? heartbeat : Poll, ct);
                }
            }
        }
        catch (SlowClientException)
        {
            metrics.StreamConsumerDropped();
            StreamLog.SlowClientDropped(logger, http.Connection.RemoteIpAddress?.ToString() ?? "?", after, slowClient);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The token expired: the stream ends; the client resumes with a new one and Last-Event-ID.
            StreamLog.TokenExpired(logger, principal, after);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            metrics.StreamConsumerDisconnected();
            streams.Close(principal);
        }
    }

    /// <summary>When the bearer token behind the request expires (its <c>exp</c> claim); null without one (open mode).</summary>
    private static DateTimeOffset? ExpiresAt(System.Security.Claims.ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static async Task WriteAsync(HttpContext http, string text, TimeSpan slowClient, CancellationToken ct)
    {
        using var slow = CancellationTokenSource.CreateLinkedTokenSource(ct);
        slow.CancelAfter(slowClient);
        try
        {
            await http.Response.WriteAsync(text, slow.Token);
            await http.Response.Body.FlushAsync(slow.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Not reading: drop it rather than buffer for it.
            http.Abort();
            throw new SlowClientException();
        }
    }

    private sealed class SlowClientException() : OperationCanceledException("A slow event-stream client was dropped.");
}

internal static partial class StreamLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Dropped an event-stream client at {Client}: it took nothing for {Timeout} with events after position {Position} waiting. It can resume with Last-Event-ID.")]
    public static partial void SlowClientDropped(ILogger logger, string client, long position, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Ended the event stream of {Principal} at position {Position}: the token that opened it has expired. It can resume with a new token and Last-Event-ID.")]
    public static partial void TokenExpired(ILogger logger, string principal, long position);
}
