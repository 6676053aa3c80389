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
    /// <c>verify-export FILE --public-key KEY.pem [--public-key KEY.pem]… [--progress MODE] [--progress-interval SECONDS]</c>:
    /// 0 when the export verifies, 1 when not, 2 on bad usage. One key per file; give every key that
    /// signed a digest in the export. Progress (bytes of the file checked) goes to standard error.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var arguments = OfflineArguments.Parse(args, ("--public-key", "-p"), (ProgressOptions.ModeFlag, null), (ProgressOptions.IntervalFlag, null));
        var files = arguments.Positional;
        var (progressOptions, progressError) = ProgressOptions.Parse(arguments.Single(ProgressOptions.ModeFlag), arguments.Single(ProgressOptions.IntervalFlag));
        if (!arguments.Usable || files.Count != 1 || !File.Exists(files[0]) || progressOptions is null)
        {
            await output.WriteLineAsync(progressError ?? "usage: verify-export FILE.ndjson|FILE.csv --public-key KEY.pem [--public-key KEY.pem]...   (the keys from GET /audit/public-key, one PEM a file)");
            return 2;
        }

        var (keys, keyError) = await arguments.ReadPemKeysAsync("--public-key");
        if (keyError is not null)
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
                file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase), keys);
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
            $"{report.KeptDigests} kept digests, digest at position {report.Digest?.Position.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        foreach (var failure in report.Failures)
        {
            await output.WriteLineAsync("  " + failure);
        }

        return report.Verified ? 0 : 1;
    }
}
