using System.Globalization;
using System.Text.Json;
using AgreementLedger.Infrastructure;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace AgreementLedger.Subscriptions;

/// <summary>Ledger:Events settings.</summary>
public sealed class EventStreamOptions
{
    /// <summary>The longest silence on an event stream; API.md allows at most 15 s, so larger values are capped.</summary>
    public TimeSpan Heartbeat { get; set; } = StreamEventsEndpoint.MaxHeartbeat;

    /// <summary>A client that takes no bytes for this long while the stream has some to send is dropped.</summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// <c>GET /events/stream?types=</c>: the feed as Server-Sent Events (<c>id:</c> is the position).
/// Starts at once with a comment line; resumes after <c>Last-Event-ID</c>, else from events committed
/// from now on; a heartbeat comment at least every 15 s. Each page is written and flushed before
/// the next is read, so a slow client holds at most one page (plus the socket's buffers); one that
/// takes nothing for <see cref="EventStreamOptions.SlowClientTimeout"/> is dropped and the drop logged.
/// Writers never wait for a stream: it only reads committed events.
/// </summary>
public static partial class StreamEventsEndpoint
{
    public static readonly TimeSpan MaxHeartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    [WolverineGet("/events/stream", OperationId = "streamEvents")]
    public static async Task Get(
        string? types, EventFeed feed, HttpContext http, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IOptions<EventStreamOptions> options,
        ILogger<EventStreamOptions> logger)
    {
        var slowClient = options.Value.SlowClientTimeout;
        var heartbeat = options.Value.Heartbeat < MaxHeartbeat ? options.Value.Heartbeat : MaxHeartbeat;
        var checks = new Checks();
        var wanted = EventFeed.ParseTypes(types, checks);
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

        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        long after = 0;
        var metrics = http.RequestServices.GetRequiredService<LedgerMetrics>();
        metrics.StreamConsumerConnected();
        try
        {
            await WriteAsync(http, ": agreement-ledger event stream\n\n", slowClient, ct);
            after = resumeAfter ?? await feed.SafePositionAsync(ct);
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
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            metrics.StreamConsumerDisconnected();
        }
    }

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
}
