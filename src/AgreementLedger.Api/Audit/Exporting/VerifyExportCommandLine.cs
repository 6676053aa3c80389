using System.Globalization;
using System.Text;
using System.Text.Json;
using AgreementLedger.Progress;

namespace AgreementLedger.Audit.Exporting;

/// <summary>
/// The offline <c>verify-export</c> command: its arguments, the public keys it reads, its progress on
/// standard error and its verdict on standard output, around <see cref="ExportVerifier.Verify"/>.
/// </summary>
public static class VerifyExportCommandLine
{
    /// <summary>
    /// <c>verify-export FILE --public-key KEY.pem [--public-key KEY.pem]… [--witness-key WITNESS.pem]… [--min-cosignatures N]
    /// [--progress MODE] [--progress-interval SECONDS]</c>: 0 when the export verifies, 1 when not, 2 on bad usage. One
    /// key per file; give every key that signed a digest or checkpoint in the export, and each witness's key (obtained from
    /// its operator) whose cosignature is to count. Progress (bytes of the file checked) goes to standard error.
    /// </summary>
    public const string Usage =
        "usage: verify-export FILE.ndjson|FILE.csv --public-key KEY.pem [--public-key KEY.pem]... [--witness-key WITNESS.pem]... [--min-cosignatures N]   " +
        "(the keys from GET /audit/public-key and each witness's GET /witness/public-key, one PEM a file)";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var arguments = OfflineArguments.Parse(args,
            ("--public-key", "-p"), ("--witness-key", null), ("--min-cosignatures", null), (ProgressOptions.ModeFlag, null), (ProgressOptions.IntervalFlag, null));
        var files = arguments.Positional;
        var (progressOptions, progressError) = ProgressOptions.Parse(arguments.Single(ProgressOptions.ModeFlag), arguments.Single(ProgressOptions.IntervalFlag));
        var minText = arguments.Single("--min-cosignatures");
        var min = 0;
        if (!arguments.Usable || files.Count != 1 || !File.Exists(files[0]) || progressOptions is null
            || (minText is not null && !int.TryParse(minText, NumberStyles.None, CultureInfo.InvariantCulture, out min)))
        {
            await output.WriteLineAsync(progressError ?? Usage);
            return 2;
        }

        var (keys, logKeyError) = await arguments.ReadPemKeysAsync("--public-key");
        var (witnessKeys, witnessKeyError) = await arguments.ReadPemKeysAsync("--witness-key");
        if ((logKeyError ?? witnessKeyError) is { } keyError)
        {
            await output.WriteLineAsync(keyError);
            return 2;
        }

        var file = files[0];
        ExportVerification report;
        using var progress = ConsoleProgress.ForCommand("verify-export", progressOptions);
        try
        {
            // Two readings, two steps: the reader ahead first scans to the kept digests after the events, then the first checks the events.
            var size = new FileInfo(file).Length;
            var opened = 0;
            report = ExportVerifier.Verify(
                () => new StreamReader(progress.Reading(File.OpenRead(file), opened++ == 0 ? "checking" : "scanning", size), Encoding.UTF8),
                file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase), keys, witnessKeys, min);
            progress.End();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            // A file that is not an export at all fails the check; it is not a crash of the checker.
            progress.End();
            await output.WriteLineAsync($"NOT VERIFIED: the file is not a well-formed export ({e.GetType().Name}: {e.Message})");
            return 1;
        }

        await output.WriteLineAsync($"{(report.Verified ? "VERIFIED" : "NOT VERIFIED")}: {report.Events} events of {report.Agreements} agreements, " +
            $"{report.KeptDigests} kept digests, digest at position {report.Digest?.Position.ToString(CultureInfo.InvariantCulture) ?? "?"}{CheckpointSummary(report)}");
        foreach (var failure in report.Failures)
        {
            await output.WriteLineAsync("  " + failure);
        }

        return report.Verified ? 0 : 1;
    }

    /// <summary>What the verdict line adds for an export with checkpoint records (docs/verify_export.py prints the same).</summary>
    private static string CheckpointSummary(ExportVerification report) => report.Checkpoint is not { } checkpoint
        ? ""
        : $", checkpoint of {checkpoint.TreeSize} leaves" + (report.Consistent is { } newer ? $" consistent with the one of {newer.TreeSize}" : "")
            + $", {report.Cosignatures} cosignatures by the given witnesses";
}
