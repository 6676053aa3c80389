namespace AgreementLedger.Infrastructure;

/// <summary>Files that hold a key or a password: readable and writable by their owner alone from their first byte.</summary>
public static class SecretFile
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> (mode 0600). With
    /// <see cref="FileMode.CreateNew"/> it never writes over a file that appeared meanwhile (an
    /// <see cref="IOException"/>); with another mode a file that existed is made 0600 as well.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(content);
        }

        // The creation mode applies to a file created now; one that existed keeps its own unless set.
        if (mode != FileMode.CreateNew && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerReadWrite);
        }
    }
}
