namespace AgreementLedger.Progress;

/// <summary>Reads through to the inner stream, counting what it reads for its step of a <see cref="ConsoleProgress"/>; nothing else (<see cref="ConsoleProgress.Reading"/>).</summary>
internal sealed class CountingStream(Stream inner, ConsoleProgress progress, string? step, long total) : Stream
{
    private bool _started;
    private ConsoleProgress.Step? _mine;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Counted(int read)
    {
        if (!_started)
        {
            _started = true;
            _mine = progress.Start(step, total, ProgressFormat.Bytes);
        }

        if (_mine is not null && progress.IsCurrent(_mine))
        {
            progress.Add(read);
        }

        return read;
    }
}
