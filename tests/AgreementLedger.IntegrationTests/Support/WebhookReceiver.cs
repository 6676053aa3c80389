using System.Collections.Concurrent;
using System.Globalization;
using Alba;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// A real HTTP receiver on a loopback port, stopped when disposed. Every request to it is recorded
/// (path, event position, body, signature) before the test's handler for that path answers.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public sealed record Request(string Path, long Position, string Body, string Signature);

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Cancelled when the receiver stops, so that a handler which never answers lets it stop at once.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public string Url(string path = "/hook") => _app.Urls.First() + path;

    public int Port => new Uri(_app.Urls.First()).Port;

    public IEnumerable<long> Positions(string path = "/hook") => Requests.Where(r => r.Path == path).Select(r => r.Position);

    public static async Task<WebhookReceiver> StartAsync(Action<WebApplication, WebhookReceiver>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Use(async (context, next) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            long.TryParse(context.Request.Headers["Ledger-Event-Position"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var position);
            receiver.Requests.Enqueue(new Request(context.Request.Path, position, body, context.Request.Headers["Ledger-Signature"].ToString()));
            await next(context);
        });
        if (map is null)
        {
            app.MapPost("/hook", () => Results.Ok());
        }
        else
        {
            map(app, receiver);
        }

        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>Waiting on a subscription's delivery status.</summary>
public static class WebhookWaits
{
    /// <summary>The subscription, once <paramref name="until"/> holds for it (or as it is after <paramref name="within"/>).</summary>
    public static async Task<Answer> WaitAsync(this IAlbaHost host, string subscriptionId, Func<Answer, bool> until, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var answer = await host.GetAsync($"/subscriptions/{subscriptionId}");
            if (until(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(50);
        }
    }

    public static int Failures(this Answer subscription) => subscription["status"].GetProperty("consecutiveFailures").GetInt32();

    public static string? LastError(this Answer subscription) =>
        subscription["status"].TryGetProperty("lastError", out var error) ? error.GetString() : null;

    public static int? LastStatus(this Answer subscription) =>
        subscription["status"].TryGetProperty("lastStatus", out var status) ? status.GetInt32() : null;

    public static async Task DeleteSubscriptionAsync(this IAlbaHost host, string subscriptionId) =>
        await host.Scenario(s =>
        {
            s.Delete.Url($"/subscriptions/{subscriptionId}");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.StatusCodeShouldBe(204);
        });

    /// <summary>Until <paramref name="condition"/> holds, or <paramref name="within"/> has passed.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }
    }
}
