using System.Diagnostics;
using Npgsql;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgreementLedger.Infrastructure;

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
