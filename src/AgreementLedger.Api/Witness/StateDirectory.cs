namespace AgreementLedger.Witness;

/// <summary>
/// The witness's state directory, created owner-only (0700), and held by one witness at a time: two processes on
/// one directory would each take "one submission at a time" and together cosign two roots for one size.
/// </summary>
public static class StateDirectory
{
    public const string LockFileName = "witness.lock";

    /// <summary>Creates the directory if needed and locks it for the life of the returned stream; a directory another witness holds is a <see cref="WitnessRefusalException"/>.</summary>
    public static FileStream Hold(string directory)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new FileStream(Path.Combine(directory, LockFileName), options);
        }
        catch (IOException e)
        {
            throw new WitnessRefusalException($"The state directory '{directory}' is in use by another witness, or cannot be used: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new WitnessRefusalException($"The state directory '{directory}' cannot be used: {e.Message}", e);
        }
    }
}
