using JasperFx;

namespace AgreementLedger.Ledger;

/// <summary>
/// Another command appended to the agreement after this one read it. Marten reports it four ways
/// depending on where the check fires: its own concurrency exception, the quick-append function's
/// <c>MT003</c> "stream version mismatch", the unique (stream, version) key of the event table, or, for two
/// proposals of one id at once, the stream table's key.
/// </summary>
public static class VersionConflict
{
    public const string StreamVersionMismatch = "MT003";
    public const string EventVersionKey = "pk_mt_events_stream_and_version";
    public const string StreamKey = "pkey_mt_streams_id";

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ConcurrencyException:
                case Npgsql.PostgresException { SqlState: StreamVersionMismatch }:
                case Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: EventVersionKey or StreamKey }:
                    return true;
            }
        }

        return false;
    }
}
