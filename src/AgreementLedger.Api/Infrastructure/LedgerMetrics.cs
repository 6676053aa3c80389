using System.Diagnostics;
using System.Diagnostics.Metrics;

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
