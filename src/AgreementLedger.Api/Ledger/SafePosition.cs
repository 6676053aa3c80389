using Npgsql;

namespace AgreementLedger.Ledger;

/// <summary>
/// The feed's and the digests' safe position: the newest position below which no transaction can
/// still commit an event (docs/audit.md). <see cref="FindAsync"/> finds it afresh; <see cref="CurrentAsync"/>
/// shares one found a few milliseconds ago among concurrent readers, and never goes back.
/// </summary>
public sealed partial class SafePosition(NpgsqlDataSource db, LedgerSchema schema, ILogger<SafePosition> logger) : IDisposable
{
    /// <summary>How long <see cref="FindAsync"/> waits for the writers it found before giving up.</summary>
    public static readonly TimeSpan WriterWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a safe position found is shared before a reader looks for a newer one.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(50);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SafeMark _safe = new(0, DateTimeOffset.MinValue);

    private sealed record SafeMark(long Position, DateTimeOffset At);

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The newest position below which no transaction can still commit an event, found without
    /// taking a lock that writers would queue behind. Every writer holds the event table's ROW
    /// EXCLUSIVE lock from before it draws a position until it ends (<see cref="EventTableAppendLock"/>,
    /// the bulk import). So: read the newest stored position N, then list the transactions that hold
    /// that lock, then wait until each has ended. Any position at or below N not yet committed when N
    /// was read was drawn before N was, by a transaction already holding the lock — one of those
    /// waited for. Then every position up to N is committed or never will be.
    /// Throws <see cref="WritersStillRunningException"/> if they have not ended within <see cref="WriterWait"/>.
    /// </summary>
    public async Task<long> FindAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        long newest;
        string[] writers;
        await using (var look = new NpgsqlBatch(connection))
        {
            // Two statements, in this order: the writers are listed after the newest position is read.
            look.BatchCommands.Add(new NpgsqlBatchCommand(EventPositions.NewestQuery(schema)));
            look.BatchCommands.Add(new NpgsqlBatchCommand(
                "select coalesce(array_agg(distinct virtualtransaction), '{}') from pg_locks " +
                "where locktype = 'relation' and mode = 'RowExclusiveLock' and granted and pid <> pg_backend_pid() " +
                $"and database = (select oid from pg_database where datname = current_database()) and relation = '{schema.Events}.mt_events'::regclass"));
            await using var reader = await look.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            newest = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            writers = reader.GetFieldValue<string[]>(0);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var poll = FirstPoll;
        while (writers.Length > 0)
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > WriterWait)
            {
                // Logged here, once per reader that waited the whole time (a digest, an export, the feed):
                // the operator needs the stuck transaction's name whoever met it.
                var stuck = new WritersStillRunningException(newest, await DescribeAsync(connection, writers, ct), WriterWait);
                WritersStillRunning(logger, newest, stuck.Message);
                throw stuck;
            }

            await Task.Delay(poll, ct);
            poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
            await using var running = new NpgsqlCommand(
                "select coalesce(array_agg(virtualxid), '{}') from pg_locks where locktype = 'virtualxid' and granted and virtualxid = any($1)", connection);
            running.Parameters.Add(new NpgsqlParameter { Value = writers });
            writers = (string[])(await running.ExecuteScalarAsync(ct))!;
        }

        return newest;
    }

    /// <summary>Who the transactions are, for the operator: process id, application, state, how long open, what they run.</summary>
    private static async Task<IReadOnlyList<string>> DescribeAsync(NpgsqlConnection connection, string[] writers, CancellationToken ct)
    {
        await using var describe = new NpgsqlCommand(
            "select format('pid %s (%s, %s, open %s s): %s', a.pid, coalesce(nullif(a.application_name, ''), 'no application name'), a.state, " +
            "coalesce(extract(epoch from now() - a.xact_start)::bigint, 0), left(a.query, 200)) " +
            "from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'virtualxid' and l.granted and l.virtualxid = any($1)",
            connection);
        describe.Parameters.Add(new NpgsqlParameter { Value = writers });
        var described = new List<string>();
        await using var reader = await describe.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            described.Add(reader.GetString(0));
        }

        return described.Count > 0 ? described : writers;
    }

    /// <summary>The newest safe position found so far, without waiting for anything.</summary>
    public long LastKnown => Volatile.Read(ref _safe).Position;

    /// <summary>
    /// The newest safe position, shared by concurrent readers for a few milliseconds: finding it
    /// briefly waits for writing transactions, so readers coalesce instead of queueing one each.
    /// A reader that has everything up to <paramref name="beyond"/> and knows of events past it takes no
    /// shared position at or below it, however fresh: it would only tell it what it has.
    /// </summary>
    public async Task<long> CurrentAsync(CancellationToken ct, long beyond = -1)
    {
        var mark = Volatile.Read(ref _safe);
        if (Usable(mark))
        {
            return mark.Position;
        }

        await _gate.WaitAsync(ct);
        try
        {
            mark = Volatile.Read(ref _safe);
            if (!Usable(mark))
            {
                try
                {
                    var position = await FindAsync(ct);
                    mark = new SafeMark(Math.Max(position, mark.Position), DateTimeOffset.UtcNow);
                    Volatile.Write(ref _safe, mark);
                }
                catch (WritersStillRunningException)
                {
                    // The last safe position is still safe, only older (FindAsync logged why); the next reader tries again.
                }
            }

            return mark.Position;
        }
        finally
        {
            _gate.Release();
        }

        bool Usable(SafeMark found) => DateTimeOffset.UtcNow - found.At < Freshness && found.Position > beyond;
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning,
        Message = "No safe position beyond {Position} for now: {Reason}. A transaction that holds the event table's write lock this long is stuck or a very large import.")]
    private static partial void WritersStillRunning(ILogger logger, long position, string reason);
}
