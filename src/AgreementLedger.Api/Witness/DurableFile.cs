using System.Runtime.InteropServices;

namespace AgreementLedger.Witness;

/// <summary>
/// Files that must survive a crash or a power cut the moment a write returns: the content goes to a temporary file
/// beside the target (mode 0600 from its first byte), is flushed to the disk, renamed over the target, and the
/// directory is flushed too, so that after a crash the target holds either the old content or the new, never a part.
/// </summary>
public static class DurableFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/>; with <paramref name="overwrite"/> false an
    /// existing file is left as it is and that is an <see cref="IOException"/>.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, bool overwrite = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        try
        {
            using (var file = new FileStream(temporary, options))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite);
        }
        finally
        {
            File.Delete(temporary);
        }

        FlushDirectory(directory);
    }

    /// <summary>Removes what a write interrupted by a crash left behind.</summary>
    public static void RemoveLeftovers(string directory, string fileName)
    {
        foreach (var leftover in Directory.EnumerateFiles(directory, $".{fileName}.*.tmp"))
        {
            File.Delete(leftover);
        }
    }

    /// <summary>
    /// fsync(2) on the directory, which makes a rename durable; .NET opens no directory as a file, so libc does it.
    /// Not on Windows, where a rename is made durable with the file.
    /// </summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const int ReadOnly = 0; // O_RDONLY, which opens a directory on every Unix
        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Cannot flush the directory '{directory}' to the disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int descriptor);
}
