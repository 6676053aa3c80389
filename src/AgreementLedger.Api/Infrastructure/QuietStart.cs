using System.Text;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// What a first run prints is what an operator needs (where the data lives and how to connect, the
/// address, the page and API reference, and the warnings that matter), not library chatter. Two
/// libraries print to the console past any log level: JasperFx lists the assemblies it searches for
/// commands, and Weasel writes the DDL it runs for Wolverine's queue tables to <see cref="Console.Out"/>.
/// </summary>
public static partial class QuietStart
{
    /// <summary>
    /// JasperFx prints "Searching '…' for commands" for each assembly until a command factory has
    /// applied its extensions (a process-wide flag). Applying an empty set on a throwaway factory sets
    /// that flag; the real factory still finds every command and applies every extension.
    /// </summary>
    public static void SilenceCommandDiscovery()
    {
        _ = Spectre.Console.AnsiConsole.Console; // created now, on the real standard output, before any redirection below
        new JasperFx.CommandLine.CommandFactory().ApplyExtensions(new ServiceCollection());
    }

    /// <summary>
    /// For a command whose standard output is its result (<c>export</c> without <c>--out</c>):
    /// everything else the process prints goes to standard error — the console log (from every
    /// logger that reads the configuration, the embedded database's too) and JasperFx's console,
    /// which writes a blank line after finding the commands. Progress is there already.
    /// </summary>
    public static void ResultOnStandardOutput(WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection([new("Logging:Console:LogToStandardErrorThreshold", nameof(LogLevel.Trace))]);
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(Console.Error),
        });
    }

    /// <summary>While the host starts, what libraries write to standard output goes to the log at Debug (category <c>AgreementLedger.LibraryConsole</c>).</summary>
    public static void AddLibraryConsoleToLog(this IServiceCollection services) =>
        services.AddSingleton<IHostedService, LibraryConsoleDuringStart>();

    /// <summary>
    /// Standard output is the process's, and several hosts may start in one process (the tests): the
    /// first to start redirects it, the last to finish starting puts the original back.
    /// </summary>
    private sealed class LibraryConsoleDuringStart(ILoggerFactory loggers) : IHostedLifecycleService
    {
        private static readonly Lock Gate = new();
        private static TextWriter? _original;
        private static int _starting;
        private bool _counted;

        public Task StartingAsync(CancellationToken cancellationToken)
        {
            lock (Gate)
            {
                // The console logger holds the original writer (taken when it was built), so logs still reach the console.
                if (_starting++ == 0)
                {
                    _original = Console.Out;
                    Console.SetOut(new LineLogger(loggers.CreateLogger("AgreementLedger.LibraryConsole")));
                }

                _counted = true;
            }

            return Task.CompletedTask;
        }

        public Task StartedAsync(CancellationToken cancellationToken) => Restore();

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Restore();

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private Task Restore()
        {
            lock (Gate)
            {
                if (_counted)
                {
                    _counted = false;
                    if (--_starting == 0 && _original is { } original)
                    {
                        Console.SetOut(original);
                        _original = null;
                    }
                }
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Text written to it is logged a line at a time at Debug.</summary>
    private sealed partial class LineLogger(ILogger logger) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    Flush();
                }
                else if (value != '\r')
                {
                    _line.Append(value);
                }
            }
        }

        public override void Flush()
        {
            lock (_line)
            {
                if (_line.Length > 0)
                {
                    Log(logger, _line.ToString());
                    _line.Clear();
                }
            }
        }

        [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
        private static partial void Log(ILogger logger, string line);
    }
}
