using System.Globalization;
using JasperFx.CommandLine;

namespace AgreementLedger.Progress;

/// <summary>How a long command shows its progress on standard error.</summary>
public enum ProgressMode
{
    /// <summary>A redrawn bar when standard error is a terminal (and <c>TERM</c> is not <c>dumb</c>), lines otherwise.</summary>
    Auto,

    /// <summary>A bar redrawn in place with <c>\r</c>, at most ten times a second.</summary>
    Bar,

    /// <summary>A plain line every <see cref="ProgressOptions.Interval"/>: what a log or CI keeps.</summary>
    Lines,

    /// <summary>Nothing.</summary>
    None,
}

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

/// <summary>The input of a long command that runs against the database (<c>export</c>, <c>rebuild-snapshots</c>, <c>seed</c>).</summary>
public class ProgressInput : NetCoreInput
{
    [Description(ProgressOptions.ModeDescription)]
    [FlagAlias("progress", true)]
    public string? ProgressFlag { get; set; }

    [Description(ProgressOptions.IntervalDescription)]
    [FlagAlias("progress-interval", true)]
    public string? ProgressIntervalFlag { get; set; }

    /// <summary>The command's progress on standard error, or null once it has said there why the flags are refused.</summary>
    public ConsoleProgress? StartProgress(string command)
    {
        var (options, error) = ProgressOptions.Parse(ProgressFlag, ProgressIntervalFlag);
        if (options is null)
        {
            Console.Error.WriteLine(error);
            return null;
        }

        return ConsoleProgress.ForCommand(command, options);
    }
}
