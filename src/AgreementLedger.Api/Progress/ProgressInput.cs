using JasperFx.CommandLine;

namespace AgreementLedger.Progress;

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
