using System.Net;
using System.Runtime.ExceptionServices;

namespace AgreementLedger.Client;

/// <summary>
/// Events handed to a <see cref="FeedFollower"/>'s handler, and <see cref="Position"/>: where the
/// feed resumes once they are processed. Store <see cref="Position"/> with what the handler
/// did, in the same transaction, and give it back to <see cref="FeedFollower.RunAsync"/> on the
/// next start: every event is then processed exactly once, across restarts of either side.
/// <see cref="Events"/> can be empty when a type filter left out every event of a page; storing
/// <see cref="Position"/> then saves reading them again.
/// </summary>
public sealed record FeedBatch(IReadOnlyList<LedgerEvent> Events, long Position);

/// <summary>How a <see cref="FeedFollower"/> reads the feed.</summary>
public sealed class FeedFollowerOptions
{
    /// <summary>Only these event types (null: all).</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary>Events a page while catching up, 1 to 1000. Default 500.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>
    /// Once caught up, wait on <c>/events/stream</c> for new events (true, the default) or poll
    /// <c>GET /events</c> every <see cref="PollInterval"/>.
    /// </summary>
    public bool Stream { get; init; } = true;

    /// <summary>How often to poll when <see cref="Stream"/> is false. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A stream that sends nothing (not even the heartbeat, every 15 s) for this long is taken
    /// for a dead connection and opened again. Default 45 s.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>The longest wait before reconnecting after failures one after another. Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Told of each reconnection: the failure and the wait before it.</summary>
    public Action<Exception, TimeSpan>? OnReconnect { get; init; }
}

/// <summary>
/// Follows the ledger's events from a position the caller persists: pages <c>GET /events</c>
/// until caught up, then waits on <c>/events/stream</c> with <c>Last-Event-ID</c>, and after a
/// failure or the end of a stream resumes from the last position handled. Each event reaches the
/// handler once, in position order; an exception from the handler stops the follower (the event
/// is handed over again on the next run from the position stored).
/// </summary>
public sealed class FeedFollower(LedgerClient client, FeedFollowerOptions? options = null)
{
    private readonly FeedFollowerOptions _options = options ?? new FeedFollowerOptions();

    /// <summary>Follows the feed after <paramref name="after"/> (the position last stored, 0 at first) until cancelled.</summary>
    public async Task RunAsync(long after, Func<FeedBatch, CancellationToken, Task> handle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(handle);
        // Shared with the readers: a failure half-way through a page or a stream keeps what was handled.
        var cursor = new Cursor(after);
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(cursor, handle, ct);
                if (_options.Stream)
                {
                    await StreamAsync(cursor, handle, ct);
                }
                else
                {
                    await Task.Delay(_options.PollInterval, ct);
                }

                failures = 0;
            }
            catch (HandlerFault fault)
            {
                fault.Original.Throw();
            }
            catch (Exception e) when (!ct.IsCancellationRequested && Reconnectable(e))
            {
                failures++;
                var wait = Wait(e, failures);
                _options.OnReconnect?.Invoke(e, wait);
                await Task.Delay(wait, ct);
            }
        }

        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Pages the feed until a page comes back short.</summary>
    private async Task CatchUpAsync(Cursor cursor, Func<FeedBatch, CancellationToken, Task> handle, CancellationToken ct)
    {
        while (true)
        {
            var after = cursor.Position;
            var page = await client.GetEventsAsync(after, _options.PageSize, _options.Types, ct);
            var events = page.Events.Where(e => e.Position > after).ToList();
            if (page.Next > after)
            {
                await HandleAsync(handle, new FeedBatch(events, page.Next), ct);
                cursor.Position = page.Next;
            }

            if (page.Events.Count < _options.PageSize)
            {
                return;
            }
        }
    }

    /// <summary>Hands over stream events one by one until the stream ends.</summary>
    private async Task StreamAsync(Cursor cursor, Func<FeedBatch, CancellationToken, Task> handle, CancellationToken ct)
    {
        // Any byte (an event, the heartbeat comment) shows the connection is alive.
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idle.CancelAfter(_options.StreamIdleTimeout);
        var events = client.StreamEventsAsync(cursor.Position, _options.Types, () => idle.CancelAfter(_options.StreamIdleTimeout), idle.Token)
            .GetAsyncEnumerator(idle.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync();
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"The event stream sent nothing, not even a heartbeat, for {_options.StreamIdleTimeout}.");
                }

                if (!more)
                {
                    // The service ended the stream (token expiry, shutdown): resume from here.
                    return;
                }

                var item = events.Current;
                if (item.Position <= cursor.Position)
                {
                    continue;
                }

                await HandleAsync(handle, new FeedBatch([item], item.Position), ct);
                cursor.Position = item.Position;
            }
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    /// <summary>Runs the handler; what it throws is the caller's, never taken for a failure of the feed.</summary>
    private static async Task HandleAsync(Func<FeedBatch, CancellationToken, Task> handle, FeedBatch batch, CancellationToken ct)
    {
        try
        {
            await handle(batch, ct);
        }
        catch (Exception e)
        {
            throw new HandlerFault(ExceptionDispatchInfo.Capture(e));
        }
    }

    private static bool Reconnectable(Exception e) =>
        e is HttpRequestException or IOException or TimeoutException or System.Text.Json.JsonException
        || e is TaskCanceledException { InnerException: TimeoutException }
        || e is LedgerProblemException { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout };

    private TimeSpan Wait(Exception e, int failures)
    {
        var retryAfter = (e as LedgerProblemException)?.RetryAfter;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(200 * Math.Pow(2, failures - 1), _options.MaxReconnectDelay.TotalMilliseconds));
        var wait = retryAfter is { } r && r > backoff ? r : backoff;
        return wait > _options.MaxReconnectDelay ? _options.MaxReconnectDelay : wait;
    }

    /// <summary>The position after the last batch handled.</summary>
    private sealed class Cursor(long position)
    {
        public long Position { get; set; } = position;
    }

    private sealed class HandlerFault(ExceptionDispatchInfo original) : Exception(original.SourceException.Message, original.SourceException)
    {
        public ExceptionDispatchInfo Original { get; } = original;
    }
}
