using AgreementLedger.Progress;
using Microsoft.Extensions.Time.Testing;

namespace AgreementLedger.Tests.Progress;

/// <summary>When progress is written, on a controlled clock: lines every interval, frames at most ten a second, a summary per step.</summary>
public sealed class ConsoleProgressTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly StringWriter _out = new();

    [Fact]
    public void without_a_terminal_a_line_comes_every_interval_and_the_step_ends_with_its_summary()
    {
        using var progress = new ConsoleProgress("rebuild-snapshots", _out, bar: false, TimeSpan.FromSeconds(5), _clock);

        progress.Begin("folding", 1_000, "events");
        progress.Add(100);
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        var beforeTheInterval = _out.ToString();
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        progress.Add(400);
        _clock.Advance(TimeSpan.FromSeconds(5));
        progress.End();

        Assert.Equal("", beforeTheInterval);
        Assert.Equal(
            [
                "rebuild-snapshots folding: 100/1,000 events (10%), 20 events/s, 0:45 left",
                "rebuild-snapshots folding: 500/1,000 events (50%), 50 events/s, 0:10 left",
                "rebuild-snapshots folding: 500/1,000 events (50%) in 10.0 s (50 events/s)",
            ],
            Lines());
    }

    [Fact]
    public void a_step_shorter_than_the_interval_writes_only_its_summary_and_the_next_step_starts_its_own_interval()
    {
        using var progress = new ConsoleProgress("seed", _out, bar: false, TimeSpan.FromSeconds(5), _clock);

        progress.Begin("checking", 20, "events");
        progress.Add(20);
        _clock.Advance(TimeSpan.FromSeconds(4));
        progress.Begin("writing", 20, "events");
        _clock.Advance(TimeSpan.FromSeconds(4));
        progress.Add(20);
        progress.End();

        Assert.Equal(["seed checking: 20 events in 4.0 s (5.0 events/s)", "seed writing: 20 events in 4.0 s (5.0 events/s)"], Lines());
    }

    [Fact]
    public void a_terminal_gets_a_frame_at_once_then_at_most_ten_a_second_redrawn_in_place_and_the_summary_over_the_last()
    {
        using var progress = new ConsoleProgress("export", _out, bar: true, TimeSpan.FromSeconds(5), _clock);

        progress.Begin(null, 20_000, "events");
        var first = _out.ToString();
        for (var i = 0; i < 200; i++)
        {
            // 100 items every 10 ms for two seconds: 200 reports, about 20 frames.
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            progress.Add(100);
        }

        progress.End();
        var screen = _out.ToString();

        Assert.StartsWith("\rexport [", first, StringComparison.Ordinal);
        Assert.EndsWith("\n", screen, StringComparison.Ordinal);
        Assert.Single(screen.Split('\n'), l => l.Length > 0);
        var frames = screen.TrimEnd('\n').Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(frames.Length - 1, 20, 22);
        Assert.Single(frames[..^1].Select(f => f.Length).Distinct());
        var percents = frames[..^1].Select(f => int.Parse(System.Text.RegularExpressions.Regex.Match(f, @"(\d+)% ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(0, percents[0]);
        Assert.Equal(percents.Order(), percents);
        Assert.Contains(frames, f => f.Contains(" 49%  9,900/20,000 events", StringComparison.Ordinal));
        Assert.StartsWith("export: 20,000 events in 2.0 s (10,000 events/s)", frames[^1], StringComparison.Ordinal);
        // The summary is padded over the longer frame it replaces.
        Assert.True(frames[^1].Length >= frames[^2].Length);
    }

    [Fact]
    public void a_frame_names_the_step_alone_and_fits_the_terminal_width()
    {
        using var progress = new ConsoleProgress("rebuild-snapshots", _out, bar: true, TimeSpan.FromSeconds(5), _clock, width: () => 78);

        progress.Begin("folding", 1_000, "events");

        var frame = _out.ToString().TrimStart('\r');
        Assert.StartsWith("folding [", frame, StringComparison.Ordinal);
        Assert.True(frame.Length < 78, frame);
    }

    [Fact]
    public void the_work_writes_what_is_due_when_the_timer_is_starved()
    {
        // A parallel loop holding every core keeps the pool's timers from running.
        var starved = new StarvedTimers();
        using var progress = new ConsoleProgress("seed", _out, bar: false, TimeSpan.FromSeconds(5), starved);

        progress.Begin("checking", 100, "events");
        starved.Advance(TimeSpan.FromSeconds(5));
        var beforeAnyWork = _out.ToString();
        progress.Add(10);

        Assert.Equal("", beforeAnyWork);
        Assert.Equal(["seed checking: 10/100 events (10%), 2.0 events/s, 0:45 left"], Lines());
    }

    [Fact]
    public void a_step_waiting_on_one_long_statement_still_gets_its_lines_from_the_timer()
    {
        using var progress = new ConsoleProgress("rebuild-snapshots", _out, bar: false, TimeSpan.FromSeconds(5), _clock);

        progress.Begin("writing", null, "snapshots");
        _clock.Advance(TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(5));
        progress.Add(1_500);
        progress.End();

        Assert.Equal(
            [
                "rebuild-snapshots writing: 0:05 elapsed",
                "rebuild-snapshots writing: 0:10 elapsed",
                "rebuild-snapshots writing: 1,500 snapshots in 10.0 s (150 snapshots/s)",
            ],
            Lines());
    }

    [Fact]
    public void a_stream_read_for_a_step_begins_it_and_counts_only_while_its_step_is_current()
    {
        using var progress = new ConsoleProgress("verify-export", _out, bar: false, TimeSpan.FromSeconds(5), _clock);
        using var scanning = progress.Reading(new MemoryStream(new byte[1_000]), "scanning", 1_000);
        using var checking = progress.Reading(new MemoryStream(new byte[1_000]), "checking", 1_000);
        var buffer = new byte[600];

        scanning.ReadExactly(buffer, 0, 600);
        _clock.Advance(TimeSpan.FromSeconds(1));
        checking.ReadExactly(buffer, 0, 600);
        scanning.ReadExactly(buffer, 0, 400);
        checking.ReadExactly(buffer, 0, 400);
        _clock.Advance(TimeSpan.FromSeconds(1));
        progress.End();

        Assert.Equal(["verify-export scanning: 600/1,000 B (60%) in 1.0 s (600 B/s)", "verify-export checking: 1,000 B in 1.0 s (1,000 B/s)"], Lines());
    }

    [Fact]
    public void disposing_ends_the_step_and_nothing_is_written_after_it_or_without_a_writer()
    {
        var progress = new ConsoleProgress("export", _out, bar: true, TimeSpan.FromSeconds(5), _clock);
        progress.Begin(null, 10, "events");
        progress.Add(3);
        progress.Dispose();
        var written = _out.ToString();
        _clock.Advance(TimeSpan.FromSeconds(10));
        progress.Add(3);

        using var silent = new ConsoleProgress("export", writer: null, bar: true, TimeSpan.FromSeconds(5), _clock);
        silent.Begin(null, 10, "events");
        silent.Add(10);
        _clock.Advance(TimeSpan.FromSeconds(10));
        silent.End();

        Assert.Matches(@"\rexport: 3/10 events \(30%\) in 0\.0 s \(0\.0 events/s\) *\n$", written);
        Assert.Equal(written, _out.ToString());
    }

    [Theory]
    [InlineData(null, false, "xterm", true)]
    [InlineData("auto", true, "xterm", false)]
    [InlineData("auto", false, "dumb", false)]
    [InlineData("auto", false, null, true)]
    [InlineData("bar", true, "dumb", true)]
    [InlineData("LINES", false, "xterm", false)]
    [InlineData("none", false, "xterm", false)]
    public void a_bar_is_drawn_on_a_terminal_that_can_return_the_cursor_or_when_asked(string? mode, bool errorRedirected, string? term, bool bar)
    {
        var (options, error) = ProgressOptions.Parse(mode, null);

        Assert.Null(error);
        Assert.Equal(bar, options!.DrawsBar(errorRedirected, term));
        Assert.Equal(ProgressOptions.DefaultInterval, options.Interval);
    }

    [Theory]
    [InlineData("sometimes", null, "--progress must be auto, bar, lines or none")]
    [InlineData("1", null, "--progress must be auto, bar, lines or none")]
    [InlineData(null, "0", "--progress-interval must be a number of seconds from 0.01 to 86400")]
    [InlineData(null, "soon", "--progress-interval must be a number of seconds from 0.01 to 86400")]
    [InlineData(null, "NaN", "--progress-interval must be a number of seconds from 0.01 to 86400")]
    public void a_bad_mode_or_interval_is_refused_with_the_flag_named(string? mode, string? interval, string expected)
    {
        var (options, error) = ProgressOptions.Parse(mode, interval);

        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void an_interval_is_seconds_with_a_decimal_point_whatever_the_culture() =>
        Assert.Equal(TimeSpan.FromSeconds(0.25), ProgressOptions.Parse("lines", "0.25").Options!.Interval);

    public void Dispose() => _out.Dispose();

    private string[] Lines() => _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>Time moves, but its timers never run.</summary>
    private sealed class StarvedTimers : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
