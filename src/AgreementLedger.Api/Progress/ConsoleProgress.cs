namespace AgreementLedger.Progress;

/// <summary>
/// The progress of a long command (<c>export</c>, <c>verify-export</c>, <c>rebuild-snapshots</c>,
/// <c>seed</c> and the bulk import under it) on standard error, so that standard output stays the
/// command's result (<c>export &gt; file</c>) and the host's start, which sends library output on
/// standard output to the log (<see cref="Infrastructure.QuietStart"/>), hides none of it. The work runs in steps;
/// each counts items (or bytes) towards a total when one is known (<see cref="Add"/>, safe from
/// parallel loops). On a terminal a bar is redrawn in place at most ten times a second, otherwise a
/// plain line is written every few seconds; when a step ends, one summary line stays.
/// </summary>
/// <remarks>
/// What is due is written by whichever comes first: the work's next <see cref="Add"/> (a pool timer
/// alone is starved while a parallel loop holds every core) or a timer (a step waiting on one long
/// SQL statement adds nothing for a while).
/// <para>
/// Spectre.Console (already here, under JasperFx) was weighed and not used: its live progress owns
/// the console while it runs (the host's log lines would tear it), and without a terminal it writes
/// at 25/50/75/95–100 % rather than every few seconds, without rate or time left.
/// </para>
/// </remarks>
public sealed class ConsoleProgress : IDisposable
{
    /// <summary>A terminal is redrawn at most this often: faster is flicker and costs the work time.</summary>
    public static readonly TimeSpan RedrawPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Columns assumed when the terminal does not say (a pseudo-terminal of size 0, say).</summary>
    private const int DefaultWidth = 80;

    private readonly Lock _gate = new();
    private readonly string _command;
    private readonly TextWriter? _writer;
    private readonly bool _bar;
    private readonly TimeSpan _period;
    private readonly TimeProvider _clock;
    private readonly Func<int> _width;
    private readonly ITimer? _timer;
    private readonly long _periodTicks;
    private Step? _step;
    private long _done;
    private long _due = long.MaxValue;
    private int _drawn;

    /// <param name="command">What the lines begin with: the command's name.</param>
    /// <param name="writer">Where to write; null writes nothing.</param>
    /// <param name="bar">Redraw one line with <c>\r</c> (a terminal) rather than write a line every <paramref name="interval"/>.</param>
    /// <param name="interval">Between lines, when not drawing a bar.</param>
    /// <param name="clock">Time, and the timer that writes.</param>
    /// <param name="width">The terminal's columns, asked before each frame (it may be resized).</param>
    public ConsoleProgress(string command, TextWriter? writer, bool bar, TimeSpan interval, TimeProvider clock, Func<int>? width = null)
    {
        _command = command;
        _writer = writer;
        _bar = bar;
        _period = bar ? RedrawPeriod : interval;
        _clock = clock;
        _periodTicks = (long)(_period.TotalSeconds * clock.TimestampFrequency);
        _width = width ?? (() => DefaultWidth);
        _timer = writer is null ? null : clock.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The progress of a command run by an operator: on standard error, a bar if that is a terminal, as <paramref name="options"/> say.</summary>
    public static ConsoleProgress ForCommand(string command, ProgressOptions options)
    {
        var bar = options.DrawsBar(Console.IsErrorRedirected, Environment.GetEnvironmentVariable("TERM"));
        return new ConsoleProgress(command, options.Mode == ProgressMode.None ? null : Console.Error, bar, options.Interval, TimeProvider.System, TerminalWidth);
    }

    /// <summary>
    /// Starts a step (ending the one before with its summary): <paramref name="total"/> items of
    /// <paramref name="unit"/> (<see cref="ProgressFormat.Bytes"/> for bytes), null when not known.
    /// </summary>
    public void Begin(string? step, long? total, string unit) => Start(step, total, unit);

    /// <summary>Counts <paramref name="count"/> more items of the current step done (from any thread), and writes what is due.</summary>
    public void Add(long count)
    {
        Interlocked.Add(ref _done, count);
        if (_clock.GetTimestamp() >= Volatile.Read(ref _due) && _gate.TryEnter())
        {
            try
            {
                DrawIfDue();
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    /// <summary>
    /// A stream read for a step of its own, of <paramref name="total"/> bytes (a file checked as it
    /// is read): its first read begins the step, and its bytes count while that step is current.
    /// </summary>
    public Stream Reading(Stream inner, string? step, long total) => new CountingStream(inner, this, step, total);

    internal Step? Start(string? step, long? total, string unit)
    {
        if (_timer is null)
        {
            return null;
        }

        lock (_gate)
        {
            EndStep();
            Interlocked.Exchange(ref _done, 0);
            var now = _clock.GetTimestamp();
            // On a terminal the operator has just typed the command: a step's frame names the step alone, which leaves room for the bar.
            _step = new Step(step is null ? _command : $"{_command} {step}", step ?? _command, total, unit, now);
            if (_bar)
            {
                Draw();
            }

            // A line comes one interval after the step began, so a short step writes only its summary.
            Volatile.Write(ref _due, now + _periodTicks);
            _timer.Change(_period, _period);
            return _step;
        }
    }

    /// <summary>Ends the current step with its summary line.</summary>
    public void End()
    {
        lock (_gate)
        {
            EndStep();
        }
    }

    /// <summary>Ends the current step, so that whatever follows (an error, say) starts on a line of its own.</summary>
    public void Dispose()
    {
        End();
        _timer?.Dispose();
    }

    private void Tick()
    {
        lock (_gate)
        {
            DrawIfDue();
        }
    }

    private void DrawIfDue()
    {
        var now = _clock.GetTimestamp();
        if (_step is not null && now >= _due)
        {
            Draw();
            Volatile.Write(ref _due, now + _periodTicks);
        }
    }

    private void Draw()
    {
        if (_bar)
        {
            var frame = ProgressFormat.Frame(Snapshot(frame: true), Math.Max(1, _width()));
            _writer!.Write("\r" + frame + new string(' ', Math.Max(0, _drawn - frame.Length)));
            _drawn = frame.Length;
        }
        else
        {
            _writer!.WriteLine(ProgressFormat.Line(Snapshot()));
        }

        _writer.Flush();
    }

    private void EndStep()
    {
        if (_step is null)
        {
            return;
        }

        var summary = ProgressFormat.Summary(Snapshot());
        _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writer!.WriteLine(_bar ? "\r" + summary + new string(' ', Math.Max(0, _drawn - summary.Length)) : summary);
        _writer.Flush();
        _step = null;
        _drawn = 0;
        Volatile.Write(ref _due, long.MaxValue);
    }

    private ProgressSnapshot Snapshot(bool frame = false)
    {
        var step = _step!;
        return new ProgressSnapshot(frame ? step.FrameLabel : step.Label, Interlocked.Read(ref _done), step.Total, step.Unit, _clock.GetElapsedTime(step.Started));
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : DefaultWidth;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException)
        {
            return DefaultWidth;
        }
    }

    /// <summary>Whether <paramref name="step"/> is the step being counted now (a stream's step may have been ended by the next).</summary>
    internal bool IsCurrent(Step step) => ReferenceEquals(Volatile.Read(ref _step), step);

    internal sealed record Step(string Label, string FrameLabel, long? Total, string Unit, long Started);
}
