using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgreementLedger.Infrastructure;

/// <summary>The service's own instruments, beside those of ASP.NET Core, Marten, Wolverine and Npgsql.</summary>
public static class LedgerMetrics
{
    public const string MeterName = "AgreementLedger";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Appended = Meter.CreateCounter<long>(
        "ledger.events.appended", unit: "{event}", description: "Events appended, by event type");

    private static readonly Counter<long> Replayed = Meter.CreateCounter<long>(
        "ledger.idempotency.replayed", unit: "{response}", description: "Commands answered from a stored idempotent response");

    public static void EventAppended(string type) => Appended.Add(1, new KeyValuePair<string, object?>("type", type));

    public static void IdempotentReplay() => Replayed.Add(1);
}

public static class Telemetry
{
    /// <summary>
    /// Metrics for Prometheus at /metrics. Traces only when they go somewhere — exported over OTLP
    /// when OTEL_EXPORTER_OTLP_ENDPOINT is set, or collected when Ledger:Telemetry:Traces is true —
    /// since recording spans nobody reads costs every request (measured in docs/benchmarks.md).
    /// </summary>
    public static void AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var traces = otlp || builder.Configuration.GetValue("Ledger:Telemetry:Traces", false);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("agreement-ledger"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(LedgerMetrics.MeterName, "Marten", "Npgsql", "Wolverine*", "System.Runtime")
                .AddPrometheusExporter());
        if (traces)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddSource("Wolverine", "Marten").AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }
    }
}
