using System.Diagnostics;

namespace AgreementLedger.LocalPostgres;

/// <summary>
/// Runs the tools the embedded cluster needs: the machine's own (<c>id</c>, <c>chown</c>) and PostgreSQL's
/// (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres --single</c>), the latter as the cluster's OS user when this process is root.
/// </summary>
internal static class ClusterProcess
{
    public static int Run(string file, string[] args, bool throwOnFailure = true) => Run(file, args, out _, throwOnFailure);

    public static int Run(string file, string[] args, out string output, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new LocalPostgresUnavailableException($"Could not run {file}.");
        output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new LocalPostgresUnavailableException($"{file} failed ({process.ExitCode}): {error.Trim()}");
        }

        return process.ExitCode;
    }

    /// <summary>Runs a PostgreSQL tool, as the cluster's OS user when this process is root; <paramref name="input"/> goes to its standard input.</summary>
    public static async Task<int> RunAsync(string bin, string tool, string[] args, CancellationToken ct, bool throwOnFailure = true, string? input = null)
    {
        var executable = Path.Combine(bin, tool);
        ProcessStartInfo start;
        if (Environment.IsPrivilegedProcess)
        {
            start = new ProcessStartInfo("setpriv");
            foreach (var arg in new[] { $"--reuid={LocalPostgresAccess.ClusterUser}", $"--regid={LocalPostgresAccess.ClusterUser}", "--init-groups", executable })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start = new ProcessStartInfo(executable);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null;
        // pg_ctl's children inherit these pipes; reading to the end would wait for the postmaster
        // to exit, so output is collected asynchronously and only up to the tool's own exit.
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalPostgresUnavailableException($"Could not run {executable}: {e.Message}. " + PostgresBinaries.InstallHint, e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync(ct);
        if (throwOnFailure && process.ExitCode != 0)
        {
            string text;
            lock (output)
            {
                text = output.ToString().Trim();
            }

            throw new LocalPostgresUnavailableException($"{tool} failed with exit code {process.ExitCode}: {text}");
        }

        return process.ExitCode;
    }
}
