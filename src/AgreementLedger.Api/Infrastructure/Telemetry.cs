using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// The service's own spans and instruments, beside those of ASP.NET Core, Marten, Wolverine and
/// Npgsql. docs/operations.md lists every name. One per host, from the host's
/// <see cref="IMeterFactory"/>: the gauges (stream consumers, projection lag) describe this host's
/// state, never that of another host in the same process.
/// </summary>
public sealed class LedgerMetrics
{
    public const string MeterName = "AgreementLedger";

    /// <summary>The source of the service's own spans (<c>ledger.append</c>).</summary>
    public static readonly ActivitySource Source = new(MeterName);

    private readonly Counter<long> _appended;
    private readonly Counter<long> _replayed;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _streamDrops;
    private long _streamConsumers;
    private IReadOnlyList<Measurement<long>> _lags = [];

    public LedgerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _appended = meter.CreateCounter<long>(
            "ledger.events.appended", unit: "{event}", description: "Events appended, by event type");
        _replayed = meter.CreateCounter<long>(
            "ledger.idempotency.replayed", unit: "{response}", description: "Commands answered from a stored idempotent response");
        _commandDuration = meter.CreateHistogram<double>(
            "ledger.command.duration", unit: "s", description: "Time to answer a recording command, by route and outcome (accepted, refused, failed)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableUpDownCounter(
            "ledger.feed.stream_consumers", () => Volatile.Read(ref _streamConsumers), unit: "{consumer}",
            description: "Clients connected to GET /events/stream on this node");
        _streamDrops = meter.CreateCounter<long>(
            "ledger.feed.stream_dropped", unit: "{consumer}", description: "Event-stream clients dropped for taking nothing (slow clients)");
        meter.CreateObservableGauge(
            "ledger.projection.lag", () => Volatile.Read(ref _lags), unit: "{event}",
            description: "Stored events each projection, subscription and webhook subscription has still to process");
    }

    public void EventAppended(string type) => _appended.Add(1, new KeyValuePair<string, object?>("type", type));

    public void IdempotentReplay() => _replayed.Add(1);

    public void CommandAnswered(string route, int status, TimeSpan elapsed) => _commandDuration.Record(
        elapsed.TotalSeconds,
        new KeyValuePair<string, object?>("route", route),
        new KeyValuePair<string, object?>("outcome", status switch { < 400 => "accepted", < 500 => "refused", _ => "failed" }));

    public void StreamConsumerConnected() => Interlocked.Increment(ref _streamConsumers);

    public void StreamConsumerDisconnected() => Interlocked.Decrement(ref _streamConsumers);

    public void StreamConsumerDropped() => _streamDrops.Add(1);

    /// <summary>The newest lag figures, read by the subscriptions' lag monitor; the gauge serves them.</summary>
    internal void LagsRead(IReadOnlyList<Measurement<long>> lags) => Volatile.Write(ref _lags, lags);
}

public static class Telemetry
{
    /// <summary>
    /// Metrics for Prometheus at /metrics (and over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set);
    /// logs through OpenTelemetry beside the console; traces only when they go somewhere — exported
    /// over OTLP, or collected when Ledger:Telemetry:Traces is true — since recording spans nobody
    /// reads costs every request (measured in docs/benchmarks.md).
    /// </summary>
    public static void AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = OtlpOn(builder.Configuration);
        var traces = TracesOn(builder.Configuration);
        builder.Services.AddSingleton<LedgerMetrics>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "agreement-ledger"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddMeter(LedgerMetrics.MeterName, "Marten", "Npgsql", "Wolverine*", "System.Runtime")
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithLogging(
                logging =>
                {
                    if (otlp)
                    {
                        logging.AddOtlpExporter();
                    }
                },
                options =>
                {
                    options.IncludeFormattedMessage = true;
                    options.IncludeScopes = true;
                });
        if (traces)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddSource(LedgerMetrics.MeterName, "Wolverine", "Marten").AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }
    }

    private static bool OtlpOn(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static bool TracesOn(IConfiguration configuration) => OtlpOn(configuration) || configuration.GetValue("Ledger:Telemetry:Traces", false);

    /// <summary>Records <c>ledger.command.duration</c> for every POST under /agreements, tagged with its route template.</summary>
    public static void UseCommandTiming(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<LedgerMetrics>();
        app.Use(async (http, next) =>
        {
            if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.StartsWithSegments("/agreements"))
            {
                await next(http);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(http);
                status = http.Response.StatusCode;
            }
            finally
            {
                // An exception escaping here becomes a 500 in the exception handler further out.
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                metrics.CommandAnswered(route, status, Stopwatch.GetElapsedTime(started));
            }
        });
    }
}
