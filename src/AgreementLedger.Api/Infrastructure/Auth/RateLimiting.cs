using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;

namespace AgreementLedger.Infrastructure.Auth;

/// <summary>
/// Per-principal rate limiting of API routes (docs/api.md: off unless configured): a fixed window of
/// Ledger:RateLimit:PermitsPerWindow requests per Ledger:RateLimit:Window (default one minute),
/// answered with 429 <c>rate-limited</c> and <c>Retry-After</c> beyond it.
/// </summary>
public static class RateLimiting
{
    public const string Policy = "per-principal";

    public static bool AddLedgerRateLimiting(this WebApplicationBuilder builder)
    {
        var permits = builder.Configuration.GetValue<int?>("Ledger:RateLimit:PermitsPerWindow");
        builder.Services.AddSingleton(new RateLimitingSwitch(permits is > 0));
        if (permits is not > 0)
        {
            return false;
        }

        var window = builder.Configuration.GetValue<TimeSpan?>("Ledger:RateLimit:Window") ?? TimeSpan.FromMinutes(1);
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, http => RateLimitPartition.GetFixedWindowLimiter(
                Principal.NameOf(http.User),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits.Value, Window = window, QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Result(Problems.Create(StatusCodes.Status429TooManyRequests, Problems.RateLimited, "Too many requests",
                    $"At most {permits} requests per {window} for each principal; retry after the Retry-After header's seconds.")).ExecuteAsync(context.HttpContext);
            };
        });
        return true;
    }

    public static void RequireRateLimiting(WolverineHttpOptions options) =>
        options.ConfigureEndpoints(chain => chain.Metadata.RequireRateLimiting(Policy));
}

/// <summary>Whether per-principal rate limiting was configured (<see cref="RateLimiting.AddLedgerRateLimiting"/>), for the pipeline.</summary>
public sealed record RateLimitingSwitch(bool On);
