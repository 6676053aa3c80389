using System.Globalization;
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

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Delivers events to webhooks in ledger order, one event per request, signed with HMAC-SHA256
/// over "timestamp.body" (header <c>Ledger-Signature: t=…,v1=…</c>). A failure stops that
/// subscription where it is and retries the same event with exponential backoff, so nothing is
/// skipped or reordered. Subscriptions are leased row by row, so several nodes share the work.
/// </summary>
public sealed partial class WebhookDispatcher(
    WebhookStore store, EventFeed feed, IHttpClientFactory http, TimeProvider clock,
    IOptions<WebhookOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int BatchSize = 100;

    /// <summary>A node holds a subscription this long past its last progress; a dead node's work moves on after it.</summary>
    private TimeSpan LeaseFor => options.Value.Timeout * 3;

    public static string Signature(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var lease in await store.LeaseDueAsync(clock.GetUtcNow(), LeaseFor, stoppingToken))
                {
                    await DeliverAsync(lease, stoppingToken);
                }
            }
            catch (Npgsql.NpgsqlException e)
            {
                LogDatabase(logger, e);
            }
        }
    }

    private async Task DeliverAsync(WebhookStore.Lease lease, CancellationToken ct)
    {
        var page = await feed.ReadAsync(lease.Position, BatchSize, lease.Types, ct);
        var client = http.CreateClient(HttpClientName);
        client.Timeout = options.Value.Timeout;
        foreach (var e in page.Events)
        {
            var body = JsonSerializer.Serialize(e, json.Value.SerializerOptions);
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, lease.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Ledger-Webhook-Id", lease.Id);
            request.Headers.Add("Ledger-Event-Position", e.Position.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("Ledger-Signature", $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Signature(lease.Secret, timestamp, body)}");
            int? status = null;
            string? error = null;
            try
            {
                using var response = await client.SendAsync(request, ct);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    error = $"the receiver answered {status}";
                }
            }
            catch (Exception x) when (x is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = x.Message;
            }

            if (error is not null)
            {
                var delay = TimeSpan.FromTicks(Math.Min(options.Value.MaxRetryDelay.Ticks, options.Value.RetryBase.Ticks * (1L << Math.Min(lease.Failures, 20))));
                await store.FailedAsync(lease.Id, status, error, clock.GetUtcNow() + delay, ct);
                LogFailed(logger, lease.Id, e.Position, error, delay);
                return;
            }

            await store.DeliveredAsync(lease.Id, e.Position, status!.Value, clock.GetUtcNow(), clock.GetUtcNow() + LeaseFor, ct);
            lease = lease with { Failures = 0 };
        }

        await store.AdvanceAsync(lease.Id, page.Next, ct);
        await store.ReleaseAsync(lease.Id, clock.GetUtcNow(), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Id}: delivering position {Position} failed ({Error}); retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, string id, long position, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery could not reach PostgreSQL; will retry")]
    private static partial void LogDatabase(ILogger logger, Exception exception);
}
