using AgreementLedger.Progress;
using static AgreementLedger.Progress.ProgressFormat;

namespace AgreementLedger.Tests.Progress;

/// <summary>What an operator reads while a long command runs: rate, time left, the bar and its fit on a terminal.</summary>
public sealed class ProgressFormatTests
{
    [Theory]
    [InlineData(8_123.4, "events", "8,123 events/s")]
    [InlineData(123_456.7, "events", "123,457 events/s")]
    [InlineData(3.46, "events", "3.5 events/s")]
    [InlineData(0, "snapshots", "0.0 snapshots/s")]
    [InlineData(512, Bytes, "512 B/s")]
    [InlineData(12.4 * 1024 * 1024, Bytes, "12.4 MiB/s")]
    [InlineData(1.5 * 1024 * 1024 * 1024, Bytes, "1.5 GiB/s")]
    public void a_rate_is_items_or_bytes_a_second_with_invariant_digits(double perSecond, string unit, string expected) =>
        Assert.Equal(expected, Rate(perSecond, unit));

    [Theory]
    [InlineData(25, 100, 10, 30.0)]
    [InlineData(99, 100, 99, 1.0)]
    [InlineData(100, 100, 10, 0.0)]
    [InlineData(120, 100, 10, 0.0)]
    public void the_time_left_is_the_rest_at_the_average_rate_so_far(long done, long total, double elapsedSeconds, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), TimeLeft(done, total, TimeSpan.FromSeconds(elapsedSeconds)));

    [Fact]
    public void the_time_left_is_unknown_before_anything_is_done_and_capped_when_the_rate_is_near_zero()
    {
        Assert.Null(TimeLeft(0, 100, TimeSpan.FromSeconds(10)));
        Assert.Null(TimeLeft(50, 100, TimeSpan.Zero));
        Assert.Equal("99:59:59", Clock(TimeLeft(1, 1_000_000_000, TimeSpan.FromHours(1))!.Value));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(4.6, "0:05")]
    [InlineData(65, "1:05")]
    [InlineData(3_725, "1:02:05")]
    public void a_clock_is_minutes_and_seconds_then_hours(double seconds, string expected) =>
        Assert.Equal(expected, Clock(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0.5, 10, "[#####-----]")]
    [InlineData(0.99, 10, "[#########-]")]
    [InlineData(1.5, 4, "[####]")]
    [InlineData(-0.1, 3, "[---]")]
    public void a_bar_fills_whole_cells_and_never_overflows(double fraction, int width, string expected) =>
        Assert.Equal(expected, Bar(fraction, width));

    [Theory]
    [InlineData(999, 1_000, 99)]
    [InlineData(1_000, 1_000, 100)]
    [InlineData(5, 3, 100)]
    [InlineData(0, 0, 100)]
    public void the_percent_rounds_down_so_that_100_means_done(long done, long total, int expected) =>
        Assert.Equal(expected, Percent(done, total));

    [Fact]
    public void a_line_gives_counts_percent_rate_and_time_left()
    {
        Assert.Equal(
            "export: 10,400/20,000 events (52%), 8,125 events/s, 0:01 left",
            Line(new ProgressSnapshot("export", 10_400, 20_000, "events", TimeSpan.FromSeconds(1.28))));
        Assert.Equal(
            "verify-export checking: 1.5/4.0 MiB (37%), 1.5 MiB/s, 0:02 left",
            Line(new ProgressSnapshot("verify-export checking", 3 * 512 * 1024, 4 * 1024 * 1024, Bytes, TimeSpan.FromSeconds(1))));
        Assert.Equal("export: 0/20,000 events (0%), 0.0 events/s, -:-- left", Line(new ProgressSnapshot("export", 0, 20_000, "events", TimeSpan.FromSeconds(2))));
        Assert.Equal("rebuild-snapshots writing: 0:03 elapsed", Line(new ProgressSnapshot("rebuild-snapshots writing", 0, null, "snapshots", TimeSpan.FromSeconds(3))));
    }

    [Fact]
    public void a_summary_gives_what_was_done_how_long_it_took_and_how_far_it_got_if_short()
    {
        Assert.Equal("export: 20,000 events in 2.5 s (8,000 events/s)", Summary(new ProgressSnapshot("export", 20_000, 20_000, "events", TimeSpan.FromSeconds(2.5))));
        Assert.Equal("export: 5,000/20,000 events (25%) in 1.2 s (4,167 events/s)", Summary(new ProgressSnapshot("export", 5_000, 20_000, "events", TimeSpan.FromSeconds(1.2))));
        Assert.Equal("seed writing: 1,500 snapshots in 1:30 (17 snapshots/s)", Summary(new ProgressSnapshot("seed writing", 1_500, null, "snapshots", TimeSpan.FromSeconds(90))));
        Assert.Equal("verify-export: 500 B in 0.5 s (1,000 B/s)", Summary(new ProgressSnapshot("verify-export", 500, 500, Bytes, TimeSpan.FromSeconds(0.5))));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(120)]
    [InlineData(80)]
    public void a_frame_fits_the_terminal_less_one_column_and_its_bar_keeps_one_width_from_start_to_end(int width)
    {
        var widths = new[] { 0L, 1, 10_400, 19_999, 20_000 }
            .Select(done => Frame(new ProgressSnapshot("export", done, 20_000, "events", TimeSpan.FromSeconds(done == 0 ? 0.1 : 1.5)), width))
            .Select(frame =>
            {
                Assert.True(frame.Length < width, frame);
                Assert.Matches(@"^export \[[#-]+\] +\d+% +[\d,]+/20,000 events +[\d.,]+ events/s +(\d+(?::\d\d)+|-:--) left$", frame);
                return frame.IndexOf(']', StringComparison.Ordinal) - frame.IndexOf('[', StringComparison.Ordinal) - 1;
            })
            .Distinct()
            .ToList();

        var bar = Assert.Single(widths);
        Assert.InRange(bar, MinBarWidth, MaxBarWidth);
        if (width >= 120)
        {
            Assert.Equal(MaxBarWidth, bar);
        }
    }

    [Fact]
    public void a_frame_on_a_narrow_terminal_drops_the_bar_and_then_the_tail()
    {
        var snapshot = new ProgressSnapshot("export", 10_400, 20_000, "events", TimeSpan.FromSeconds(1.28));

        var narrow = Frame(snapshot, 64);
        var tiny = Frame(snapshot, 20);

        Assert.DoesNotContain('[', narrow);
        Assert.StartsWith("export  52%", narrow, StringComparison.Ordinal);
        Assert.Equal(19, tiny.Length);
        Assert.StartsWith("export  52%", tiny, StringComparison.Ordinal);
    }

    [Fact]
    public void a_frame_without_a_total_shows_the_count_and_rate_or_only_the_time()
    {
        Assert.Equal("writing 0:03", Frame(new ProgressSnapshot("writing", 0, null, "snapshots", TimeSpan.FromSeconds(3)), 80));
        Assert.Equal("writing 1,500 snapshots 500 snapshots/s 0:03", Frame(new ProgressSnapshot("writing", 1_500, null, "snapshots", TimeSpan.FromSeconds(3)), 80));
    }
}
