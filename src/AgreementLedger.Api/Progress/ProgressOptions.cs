using System.Globalization;

namespace AgreementLedger.Progress;

/// <summary>The <c>--progress</c> and <c>--progress-interval</c> flags of the long commands, read alike by JasperFx and by <c>verify-export</c>.</summary>
public sealed record ProgressOptions(ProgressMode Mode, TimeSpan Interval)
{
    public const string ModeFlag = "--progress";
    public const string IntervalFlag = "--progress-interval";

    public const string ModeDescription =
        "auto (default: a bar redrawn on a terminal, a line every few seconds otherwise), bar, lines or none; written to standard error";

    public const string IntervalDescription = "Seconds between progress lines when no bar is drawn (default 5)";

    /// <summary>Often enough that a log shows the command is alive, seldom enough that a long run stays readable.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    public static ProgressOptions Default { get; } = new(ProgressMode.Auto, DefaultInterval);

    /// <summary>The options the flags give, or why they are refused.</summary>
    public static (ProgressOptions? Options, string? Error) Parse(string? mode, string? interval)
    {
        ProgressMode? parsed = (mode ?? "auto").ToUpperInvariant() switch
        {
            "AUTO" => ProgressMode.Auto,
            "BAR" => ProgressMode.Bar,
            "LINES" => ProgressMode.Lines,
            "NONE" => ProgressMode.None,
            _ => null,
        };
        if (parsed is null)
        {
            return (null, $"{ModeFlag} must be auto, bar, lines or none");
        }

        var every = DefaultInterval;
        if (interval is not null)
        {
            if (!double.TryParse(interval, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds is >= 0.01 and <= 86_400))
            {
                return (null, $"{IntervalFlag} must be a number of seconds from 0.01 to 86400");
            }

            every = TimeSpan.FromSeconds(seconds);
        }

        return (new ProgressOptions(parsed.Value, every), null);
    }

    /// <summary>Whether to redraw a bar: asked for, or automatic on a terminal that can return the cursor.</summary>
    public bool DrawsBar(bool errorRedirected, string? term) =>
        Mode == ProgressMode.Bar || (Mode == ProgressMode.Auto && !errorRedirected && !string.Equals(term, "dumb", StringComparison.Ordinal));
}
