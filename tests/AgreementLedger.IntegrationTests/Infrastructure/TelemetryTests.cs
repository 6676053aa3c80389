using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AgreementLedger.IntegrationTests.Infrastructure;

/// <summary>A host whose traces, metrics and logs also go to in-memory exporters the tests read.</summary>
public sealed class TelemetryLedgerHost : LedgerHost
{
    public List<Activity> Spans { get; } = [];

    public List<MetricSnapshot> Metrics { get; } = [];

    public List<LogRecord> Logs { get; } = [];

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Ledger:Telemetry:Traces"] = "true",
        ["Ledger:Telemetry:LagInterval"] = "00:00:00.200",
        // The lag test's webhook points at a closed loopback port.
        ["Ledger:Webhooks:AllowPrivateNetworks"] = "true",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics));
        services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(Logs));
    }

    /// <summary>Exports what the meters hold now and returns the data points of one instrument.</summary>
    public IReadOnlyList<MetricPoint> Points(string instrument)
    {
        lock (Metrics)
        {
            Metrics.Clear();
            Host.Services.GetRequiredService<MeterProvider>().ForceFlush();
            var points = new List<MetricPoint>();
            foreach (var metric in Metrics.Where(m => m.Name == instrument))
            {
                points.AddRange(metric.MetricPoints);
            }

            return points;
        }
    }

    /// <summary>
    /// What this host's own observable instruments report now, read through a listener on the host's
    /// meter factory: tests run several hosts in one process, and the OpenTelemetry exporters (which
    /// select meters by name) see every host's instruments.
    /// </summary>
    public IReadOnlyList<(long Value, Dictionary<string, object?> Tags)> Observed(string instrument)
    {
        var factory = Host.Services.GetRequiredService<IMeterFactory>();
        var observed = new List<(long, Dictionary<string, object?>)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (published, l) =>
            {
                if (ReferenceEquals(published.Meter.Scope, factory) && published.Name == instrument)
                {
                    l.EnableMeasurementEvents(published);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var named = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value;
            }

            observed.Add((value, named));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }

    /// <summary>
    /// Every measurement this host's instruments named <paramref name="instrument"/> record while
    /// <paramref name="action"/> runs, read through a listener on the host's meter factory. The
    /// process-wide exporters see every host's instruments, and with many hosts in one test process the
    /// SDK's limit on metric streams can drop a late host's counters from the export altogether.
    /// </summary>
    public async Task<List<(double Value, Dictionary<string, object?> Tags)>> MeasuredAsync(string instrument, Func<Task> action)
    {
        var factory = Host.Services.GetRequiredService<IMeterFactory>();
        var measured = new List<(double, Dictionary<string, object?>)>();
        void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var named = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                named[tag.Key] = tag.Value;
            }

            lock (measured)
            {
                measured.Add((value, named));
            }
        }

        using var listener = new MeterListener
        {
            InstrumentPublished = (published, l) =>
            {
                if (ReferenceEquals(published.Meter.Scope, factory) && published.Name == instrument)
                {
                    l.EnableMeasurementEvents(published);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Record(value, tags));
        listener.Start();
        await action();

        // A measurement taken as the answer completes can land a moment after the client has it.
        for (var waited = 0; waited < 40 && Volatile.Read(ref measured).Count == 0; waited++)
        {
            await Task.Delay(50);
        }

        lock (measured)
        {
            return [.. measured];
        }
    }

    public static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryLedgerHost>
{
    public const string Name = "telemetry";
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryLedgerHost ledger)
{
    [Fact]
    public async Task a_command_yields_one_trace_from_the_request_through_the_append_span_to_the_sql()
    {
        var id = Given.NewId("traced");

        await ledger.Host.ProposedAsync(id, "JP", "GB");
        ledger.Host.Services.GetRequiredService<TracerProvider>().ForceFlush();

        Activity[] spans;
        lock (ledger.Spans)
        {
            spans = [.. ledger.Spans];
        }

        var append = Assert.Single(spans, s => s.OperationName == "ledger.append" && Equals(s.GetTagItem("ledger.agreement_id"), id));
        Assert.Equal("agreement_proposed", append.GetTagItem("ledger.event_types"));
        Assert.Equal(1L, append.GetTagItem("ledger.stream_version"));
        var trace = spans.Where(s => s.TraceId == append.TraceId).ToList();
        var request = Assert.Single(trace, s => s.Kind == ActivityKind.Server);
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        Assert.Equal(201, request.GetTagItem("http.response.status_code"));
        Assert.True(IsWithin(append, request, trace), "the append span is not inside the request's span");
        var sql = trace.Where(s => s.Source.Name == "Npgsql" && IsWithin(s, append, trace)).ToList();
        // The commit is one batch (BEGIN … COMMIT): one SQL span inside the append, Marten's session not involved.
        Assert.Single(sql);
    }

    [Fact]
    public async Task the_integration_event_relay_is_traced_through_wolverine()
    {
        await ledger.Host.ProposedAsync(Given.NewId("relayed"), "JP");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        var wolverine = new List<Activity>();
        while (wolverine.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            ledger.Host.Services.GetRequiredService<TracerProvider>().ForceFlush();
            lock (ledger.Spans)
            {
                wolverine = [.. ledger.Spans.Where(s => s.Source.Name == "Wolverine" && s.OperationName == "send"
                    && Equals(s.GetTagItem("messaging.message_type"), "agreement-ledger.event"))];
            }
        }

        Assert.NotEmpty(wolverine);
        Assert.Equal("postgresql", wolverine[0].GetTagItem("messaging.system"));
    }

    [Fact]
    public async Task appended_events_and_command_latency_are_counted()
    {
        var id = Given.NewId("counted");
        await ledger.Host.ProposedAsync(id, "JP");

        Task Cite() => ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", url = "https://example.org/a", publishedOn = "2024-01-11" }, 200);
        var appended = await ledger.MeasuredAsync("ledger.events.appended", Cite);
        var timed = await ledger.MeasuredAsync("ledger.command.duration", Cite);

        Assert.Equal(1, appended.Where(m => Equals(m.Tags.GetValueOrDefault("type"), "source_cited")).Sum(m => m.Value));
        var accepted = timed.Where(m => Equals(m.Tags.GetValueOrDefault("route"), "/agreements/{id}/sources") && Equals(m.Tags.GetValueOrDefault("outcome"), "accepted")).ToList();
        Assert.Single(accepted);
        Assert.True(accepted[0].Value > 0);
    }

    [Fact]
    public async Task a_refused_command_is_timed_as_refused()
    {
        var id = Given.NewId("refused");

        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Reuters", url = "https://example.org/a", publishedOn = "2024-01-11" }, 404);

        Assert.Contains(ledger.Points("ledger.command.duration"), p =>
            TelemetryLedgerHost.Tag(p, "route") == "/agreements/{id}/sources" && TelemetryLedgerHost.Tag(p, "outcome") == "refused" && p.GetHistogramCount() > 0);
    }

    [Fact]
    public async Task projection_lag_is_reported_per_projection_and_webhook_subscription()
    {
        await ledger.Host.ProposedAsync(Given.NewId("lag"), "JP");
        // A subscription whose receiver never answers: its cursor stays behind the newest event.
        var subscription = await ledger.Host.PostAsync("/subscriptions", new { url = "http://127.0.0.1:9/never", secret = "telemetry-test-secret" }, 201);
        var webhook = "webhook:" + subscription["id"].GetString();
        await ledger.Host.ProposedAsync(Given.NewId("lag"), "KR");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<(long Value, Dictionary<string, object?> Tags)> lags;
        do
        {
            await Task.Delay(200);
            lags = ledger.Observed("ledger.projection.lag");
        }
        while (DateTime.UtcNow < deadline &&
               !(lags.Any(p => Equals(p.Tags["projection"], webhook) && p.Value >= 1) &&
                 lags.Any(p => Equals(p.Tags["projection"], "integration-events:All"))));

        Assert.Contains(lags, p => Equals(p.Tags["projection"], webhook) && p.Value >= 1);
        // The relay keeps up (its lag is the newest position minus the last it relayed): it comes down to 0,
        // while the webhook whose receiver never answers stays behind.
        long relay;
        do
        {
            relay = Assert.Single(ledger.Observed("ledger.projection.lag"), p => Equals(p.Tags["projection"], "integration-events:All")).Value;
            if (relay != 0)
            {
                await Task.Delay(200);
            }
        }
        while (relay != 0 && DateTime.UtcNow < deadline.AddSeconds(20));

        Assert.Equal(0, relay);
        await ledger.Host.Scenario(s =>
        {
            s.Delete.Url("/subscriptions/" + webhook["webhook:".Length..]);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
            s.StatusCodeShouldBe(204);
        });
    }

    [Fact]
    public async Task connected_event_stream_consumers_are_counted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = ledger.Host.Server.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Admin);
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            await lines.ReadLineAsync(timeout.Token);

            var connected = Assert.Single(ledger.Observed("ledger.feed.stream_consumers")).Value;
            Assert.Equal(1, connected);
        }

        // The endpoint notices the client has gone when its next write or poll is cancelled.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && Assert.Single(ledger.Observed("ledger.feed.stream_consumers")).Value != 0)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, Assert.Single(ledger.Observed("ledger.feed.stream_consumers")).Value);
    }

    [Fact]
    public async Task a_failed_audit_verification_is_logged_as_an_error_naming_the_first_broken_event()
    {
        var id = Given.NewId("alarm");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");
        Assert.DoesNotContain(LogsAbout(id), l => l.LogLevel >= Microsoft.Extensions.Logging.LogLevel.Warning);

        await ledger.ExecuteAsync("update ledger.mt_events set user_name = 'mallory' where stream_id = $1 and version = 2", id);
        var report = await ledger.Host.GetAsync($"/audit/verify?agreementId={id}");

        Assert.False(report["verified"].GetBoolean());
        var alarm = Assert.Single(LogsAbout(id), l => l.LogLevel == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("NOT VERIFIED", alarm.FormattedMessage, StringComparison.Ordinal);
        Assert.Contains($"{id} version 2", alarm.FormattedMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_writer_stuck_past_the_wait_is_logged_by_name_and_a_digest_then_answers_503()
    {
        await ledger.Host.ProposedAsync(Given.NewId("stuck"), "JP");
        var known = (await ledger.Host.GetAsync("/events?after=0&limit=1000"))["next"].GetInt64();
        var application = "stuck-writer-" + Guid.NewGuid().ToString("N")[..8];
        await using var holder = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(ledger.ConnectionString) { ApplicationName = application }.ConnectionString);
        await holder.OpenAsync();
        await using var writing = await holder.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("lock table ledger.mt_events in row exclusive mode", holder, writing))
        {
            await take.ExecuteNonQueryAsync();
        }

        // The digest waits for the writer for SafePosition.WriterWait (10 s), then refuses; the feed keeps its last safe position.
        await Task.Delay(100);
        var asked = ledger.Host.GetAsync("/audit/digest", 503);
        var page = await ledger.Host.GetAsync("/events?after=0&limit=1000");
        var digest = await asked;
        await writing.RollbackAsync();

        Assert.Equal("/problems/unavailable", digest.ProblemType);
        Assert.Equal("1", digest.Headers["Retry-After"]);
        Assert.True(page["next"].GetInt64() >= known);
        lock (ledger.Logs)
        {
            ledger.Host.Services.GetRequiredService<OpenTelemetry.Logs.LoggerProvider>().ForceFlush();
            // Once per reader that waited the whole time (the GET here; a webhook delivery could be another).
            var warnings = ledger.Logs.Where(l => l.FormattedMessage?.Contains(application, StringComparison.Ordinal) == true).ToList();
            Assert.NotEmpty(warnings);
            Assert.All(warnings, w => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, w.LogLevel));
            Assert.All(warnings, w => Assert.Contains("lock table ledger.mt_events", w.FormattedMessage, StringComparison.Ordinal));
        }
    }

    private List<LogRecord> LogsAbout(string id)
    {
        lock (ledger.Logs)
        {
            ledger.Host.Services.GetRequiredService<OpenTelemetry.Logs.LoggerProvider>().ForceFlush();
            return [.. ledger.Logs.Where(l => l.CategoryName?.EndsWith("LedgerVerifier", StringComparison.Ordinal) == true
                && l.FormattedMessage?.Contains(id, StringComparison.Ordinal) == true)];
        }
    }

    [Fact]
    public void logs_go_through_opentelemetry()
    {
        LogRecord[] logs;
        lock (ledger.Logs)
        {
            logs = [.. ledger.Logs];
        }

        Assert.Contains(logs, l => l.FormattedMessage?.Contains("Integration events go to", StringComparison.Ordinal) == true);
    }

    private static bool IsWithin(Activity span, Activity ancestor, IReadOnlyList<Activity> trace)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        for (var current = span; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}
