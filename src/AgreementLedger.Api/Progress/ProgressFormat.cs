using System.Globalization;

namespace AgreementLedger.Progress;

/// <summary>Where one step of a long command stands: what it counts, how far it is, for how long it has run.</summary>
public readonly record struct ProgressSnapshot(string Label, long Done, long? Total, string Unit, TimeSpan Elapsed)
{
    /// <summary>Items (or bytes) a second since the step began: the average, which stays steady when the work comes in bursts.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>At the average rate so far; unknown without a total or before anything is done.</summary>
    public TimeSpan? Left => Total is { } total ? ProgressFormat.TimeLeft(Done, total, Elapsed) : null;
}

/// <summary>
/// The text of progress output, apart from when and where it is written (<see cref="ConsoleProgress"/>),
/// so that what an operator reads is tested on its own: a bar frame for a terminal, a plain line for a
/// log, a summary when a step ends. Numbers are invariant (<c>12,345</c>) whatever the machine's culture.
/// </summary>
public static class ProgressFormat
{
    /// <summary>The unit of a step that counts bytes (shown as KiB, MiB, …) rather than items.</summary>
    public const string Bytes = "bytes";

    /// <summary>The widest bar; a wider terminal gets the same bar, not a longer line.</summary>
    public const int MaxBarWidth = 30;

    /// <summary>A bar narrower than this says too little: a narrow terminal gets the numbers alone.</summary>
    public const int MinBarWidth = 10;

    /// <summary>The longest time left shown (99:59:59): a rate near zero would otherwise overflow.</summary>
    private static readonly TimeSpan MaxLeft = TimeSpan.FromSeconds(359_999);

    private static readonly string[] SizeUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>
    /// The frame drawn on a terminal, fitted into <paramref name="width"/> columns less one (a full
    /// line would wrap and break the redraw). Its numbers are padded so that the bar keeps its width
    /// from frame to frame.
    /// </summary>
    public static string Frame(ProgressSnapshot s, int width)
    {
        string line;
        if (s.Total is { } total)
        {
            var amounts = Amounts(s.Done, total, s.Unit).PadLeft(Amounts(total, total, s.Unit).Length);
            var rate = s.Unit == Bytes ? SizePerSecond(s.Rate).PadLeft(10) + "/s" : $"{Number(s.Rate),7} {s.Unit}/s";
            var text = $"{Percent(s.Done, total),3}% {amounts} {rate} {LeftText(s.Left),8} left";
            // label, space, [bar], space, text
            var barWidth = Math.Min(MaxBarWidth, width - 1 - s.Label.Length - 1 - 2 - 1 - text.Length);
            line = barWidth >= MinBarWidth ? $"{s.Label} {Bar(Fraction(s.Done, total), barWidth)} {text}" : $"{s.Label} {text}";
        }
        else
        {
            line = s.Done > 0 ? $"{s.Label} {Amount(s.Done, s.Unit)} {Rate(s.Rate, s.Unit)} {Clock(s.Elapsed)}" : $"{s.Label} {Clock(s.Elapsed)}";
        }

        return line.Length < width ? line : line[..Math.Max(0, width - 1)];
    }

    /// <summary>The line written every few seconds when standard error is not a terminal.</summary>
    public static string Line(ProgressSnapshot s) => s.Total is { } total
        ? $"{s.Label}: {Amounts(s.Done, total, s.Unit)} ({Percent(s.Done, total)}%), {Rate(s.Rate, s.Unit)}, {LeftText(s.Left)} left"
        : s.Done > 0
            ? $"{s.Label}: {Amount(s.Done, s.Unit)}, {Rate(s.Rate, s.Unit)}, {Clock(s.Elapsed)} elapsed"
            : $"{s.Label}: {Clock(s.Elapsed)} elapsed";

    /// <summary>The line that stays when a step ends: how much, how long, how fast (and how far, had it stopped short).</summary>
    public static string Summary(ProgressSnapshot s)
    {
        var amount = s.Total is { } total && s.Done < total
            ? $"{Amounts(s.Done, total, s.Unit)} ({Percent(s.Done, total)}%)"
            : Amount(s.Done, s.Unit);
        return $"{s.Label}: {amount} in {Seconds(s.Elapsed)} ({Rate(s.Rate, s.Unit)})";
    }

    /// <summary><c>[########----------]</c>: <paramref name="width"/> cells between the brackets, filled by whole cells.</summary>
    public static string Bar(double fraction, int width)
    {
        var filled = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * width);
        return "[" + new string('#', filled) + new string('-', width - filled) + "]";
    }

    /// <summary>Whole percent, rounded down: 100 only when everything is done.</summary>
    public static int Percent(long done, long total) => total <= 0 ? 100 : (int)Math.Clamp(done * 100 / total, 0, 100);

    /// <summary>The time left at the average rate so far; null before anything is done.</summary>
    public static TimeSpan? TimeLeft(long done, long total, TimeSpan elapsed)
    {
        if (done >= total)
        {
            return TimeSpan.Zero;
        }

        if (done <= 0 || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        var seconds = elapsed.TotalSeconds * (total - done) / done;
        return seconds >= MaxLeft.TotalSeconds ? MaxLeft : TimeSpan.FromSeconds(seconds);
    }

    /// <summary><c>8,123 events/s</c>, <c>3.5 events/s</c>, <c>12.4 MiB/s</c>.</summary>
    public static string Rate(double perSecond, string unit) =>
        unit == Bytes ? SizePerSecond(perSecond) + "/s" : $"{Number(perSecond)} {unit}/s";

    /// <summary><c>12,345 events</c>, <c>1.5 MiB</c>.</summary>
    public static string Amount(long value, string unit) =>
        unit == Bytes ? $"{Scaled(value, SizeScale(value))} {SizeUnits[SizeScale(value)]}" : $"{value.ToString("N0", CultureInfo.InvariantCulture)} {unit}";

    /// <summary><c>10,400/20,000 events</c>, <c>1.2/4.5 MiB</c> (both sizes in the unit of the total).</summary>
    public static string Amounts(long done, long total, string unit)
    {
        if (unit != Bytes)
        {
            return $"{done.ToString("N0", CultureInfo.InvariantCulture)}/{total.ToString("N0", CultureInfo.InvariantCulture)} {unit}";
        }

        var scale = SizeScale(total);
        return $"{Scaled(done, scale)}/{Scaled(total, scale)} {SizeUnits[scale]}";
    }

    /// <summary><c>m:ss</c>, or <c>h:mm:ss</c> from an hour, to the nearest second.</summary>
    public static string Clock(TimeSpan duration)
    {
        var seconds = (long)Math.Round(Math.Max(0, duration.TotalSeconds), MidpointRounding.AwayFromZero);
        var (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{rest:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{rest:00}");
    }

    /// <summary><c>2.5 s</c> under a minute (a summary of a short step says more than <c>0:03</c>), else <see cref="Clock"/>.</summary>
    public static string Seconds(TimeSpan duration) =>
        duration < TimeSpan.FromMinutes(1) ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, duration.TotalSeconds):F1} s") : Clock(duration);

    private static string LeftText(TimeSpan? left) => left is { } known ? Clock(known) : "-:--";

    private static double Fraction(long done, long total) => total <= 0 ? 1 : (double)done / total;

    private static string Number(double value) =>
        value.ToString(value < 10 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    /// <summary>The size part of a rate: a fraction under ten bytes a second shows.</summary>
    private static string SizePerSecond(double bytes)
    {
        var scale = SizeScale(bytes);
        return $"{(scale == 0 ? Number(bytes) : Scaled(bytes, scale))} {SizeUnits[scale]}";
    }

    private static int SizeScale(double bytes)
    {
        var scale = 0;
        while (scale < SizeUnits.Length - 1 && bytes >= 1024)
        {
            bytes /= 1024;
            scale++;
        }

        return scale;
    }

    private static string Scaled(double bytes, int scale) => scale == 0
        ? bytes.ToString("N0", CultureInfo.InvariantCulture)
        : (bytes / Math.Pow(1024, scale)).ToString("0.0", CultureInfo.InvariantCulture);
}
