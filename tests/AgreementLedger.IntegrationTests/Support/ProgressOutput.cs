using System.Globalization;
using System.Text.RegularExpressions;
using AgreementLedger.Progress;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>What a long command wrote as its progress (ConsoleProgress), read back for the assertions of the tests that run it.</summary>
public static class ProgressOutput
{
    /// <summary>Several lines of counts towards <paramref name="total"/>, each with its rate and time left, the counts growing; no bar.</summary>
    public static void AssertLines(string log, string label, long total, int atLeast = 3)
    {
        var ticks = Regex.Matches(log, $@"(?m)^{Regex.Escape(label)}: (?<done>[\d,]+)/(?<total>[\d,]+) events \((?<percent>\d+)%\), [\d.,]+ events/s, (?<left>\d+(?::\d\d)+|-:--) left$")
            .Select(m => (Done: Number(m.Groups["done"].Value), Total: Number(m.Groups["total"].Value), Left: m.Groups["left"].Value))
            .ToList();
        Assert.True(ticks.Count >= atLeast, $"{ticks.Count} progress lines of '{label}':\n{log}");
        Assert.All(ticks, t => Assert.Equal(total, t.Total));
        Assert.Equal(ticks.Select(t => t.Done).Order(), ticks.Select(t => t.Done));
        Assert.True(ticks[^1].Done > ticks[0].Done, log);
        Assert.Contains(ticks, t => t.Left != "-:--");
        Assert.DoesNotContain('\r', log);
    }

    /// <summary>The same for a step that counts the bytes of a file.</summary>
    public static void AssertByteLines(string log, string label, long bytes)
    {
        var ticks = Regex.Matches(log, $@"(?m)^{Regex.Escape(label)}: (?<done>[\d.]+)/(?<total>[\d.]+ [KMG]?i?B) \((?<percent>\d+)%\), [\d.]+ [KMG]?i?B/s, (?<left>\d+(?::\d\d)+|-:--) left$")
            .Select(m => (Done: double.Parse(m.Groups["done"].Value, CultureInfo.InvariantCulture), Total: m.Groups["total"].Value, Percent: int.Parse(m.Groups["percent"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(ticks.Count >= 3, $"{ticks.Count} progress lines of '{label}':\n{log}");
        Assert.All(ticks, t => Assert.Equal(Size(bytes), t.Total));
        Assert.Equal(ticks.Select(t => t.Done).Order(), ticks.Select(t => t.Done));
        Assert.True(ticks[^1].Percent > ticks[0].Percent, log);
        Assert.DoesNotContain('\r', log);
    }

    /// <summary>
    /// On the terminal: frames of a bar of one width redrawn in place (<c>\r</c>, no new line between
    /// them) with the percent growing to the total, and the summary drawn over the last frame. A
    /// frame names the step alone (<paramref name="label"/>), or the command of a single step.
    /// </summary>
    public static void AssertFrames(string screen, string label, string totalText, Regex summary, int atLeast = 3)
    {
        // The terminal ends lines with \r\n; a \r left after that is a redraw.
        var line = screen.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Single(l => l.Contains("\r" + label + " ", StringComparison.Ordinal));
        var segments = line.Split('\r');
        var frames = segments
            .Select(s => FrameOf(label).Match(s.TrimEnd()))
            .Where(m => m.Success)
            .Select(m => (Bar: m.Groups["bar"].Value, Percent: int.Parse(m.Groups["percent"].Value, CultureInfo.InvariantCulture), Total: m.Groups["total"].Value))
            .ToList();
        Assert.True(frames.Count >= atLeast, $"{frames.Count} frames of '{label}' on the terminal:\n{screen}");
        Assert.Single(frames.Select(f => f.Bar.Length).Distinct());
        Assert.Equal(frames.Select(f => f.Percent).Order(), frames.Select(f => f.Percent));
        Assert.All(frames, f => Assert.Equal(totalText, f.Total));
        Assert.All(frames, f => Assert.InRange(f.Bar.Count(c => c == '#'), (f.Percent * f.Bar.Length / 100) - 1, (f.Percent * f.Bar.Length / 100) + 1));
        Assert.Matches(summary, segments[^1].TrimEnd());
    }

    private static Regex FrameOf(string label) => new(
        $@"^{Regex.Escape(label)} \[(?<bar>[#-]+)\]\s+(?<percent>\d+)%\s+[\d.,]+/(?<total>[\d.,]+ (?:events|[KMG]?i?B))\s+[\d.,]+ (?:events|[KMG]?i?B)/s\s+(?:\d+(?::\d\d)+|-:--) left$");

    public static Regex Summary(string label, long events) => new($@"(?m)^{Regex.Escape(label)}: {Regex.Escape(Count(events))} events in \d+\.\d s \([\d.,]+ events/s\)\s*$");

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    public static string Size(long bytes) => ProgressFormat.Amount(bytes, ProgressFormat.Bytes);
}
