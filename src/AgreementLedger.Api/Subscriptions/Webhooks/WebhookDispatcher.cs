using Microsoft.Extensions.Options;

namespace AgreementLedger.Subscriptions.Webhooks;

/// <summary>
/// Delivers events to webhooks in ledger order, one event per request, signed with HMAC-SHA256
/// over "timestamp.body" (header <c>Ledger-Signature: t=…,v1=…</c>). A failure stops that
/// subscription where it is and retries the same event with exponential backoff, so nothing is
/// skipped or reordered. Subscriptions are leased row by row, so several nodes share the work, and
/// delivered side by side (up to <see cref="WebhookOptions.MaxConcurrentDeliveries"/>), so a receiver
/// that hangs holds only its own subscription back.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookLeases store, EventFeed feed, IHttpClientFactory http, TimeProvider clock,
    IOptions<WebhookOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

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

    private async Task DeliverGuardedAsync(WebhookLeases.Lease lease, CancellationToken ct)
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

    private async Task DeliverAsync(WebhookLeases.Lease lease, CancellationToken ct)
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

            var (status, error) = await WebhookRequest.SendAsync(client, lease, e, json.Value.SerializerOptions, options.Value.Timeout, clock, ct);
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

    private async Task FailAsync(WebhookLeases.Lease lease, long position, int? status, string error, CancellationToken ct)
    {
        var delay = TimeSpan.FromTicks(Math.Min(options.Value.MaxRetryDelay.Ticks, options.Value.RetryBase.Ticks * (1L << Math.Min(lease.Failures, 20))));
        if (await store.FailedAsync(lease, status, error, clock.GetUtcNow() + delay, ct))
        {
            LogFailed(logger, lease.Id, position, error, delay);
        }
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
