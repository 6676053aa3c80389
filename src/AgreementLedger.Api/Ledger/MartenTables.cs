namespace AgreementLedger.Ledger;

/// <summary>
/// The names in Marten's own schema that the kernel reads and writes by hand: tables, the columns
/// each hand-written statement lists, the position sequence and the (stream, version) key.
/// Marten owns them and may change them in an upgrade; MartenTablesTests pins every one against the
/// database Marten built, so an upgrade that moves one fails there, by name, not in production.
/// </summary>
public static class MartenTables
{
    public const string Events = "mt_events";
    public const string Streams = "mt_streams";
    public const string Progression = "mt_event_progression";

    /// <summary>The inline snapshot projection's document table (<c>Agreement</c>).</summary>
    public const string Snapshots = "mt_doc_agreement";

    /// <summary>Where positions (<c>seq_id</c>) are drawn from.</summary>
    public const string PositionSequence = "mt_events_sequence";

    /// <summary>The tenant every row carries in a single-tenant store.</summary>
    public const string DefaultTenant = "*DEFAULT*";

    /// <summary>The columns of <see cref="Events"/> the bulk append writes, in its COPY's order (the reader reads a subset).</summary>
    public static readonly IReadOnlyList<string> EventColumns =
        ["seq_id", "id", "stream_id", "version", "data", "type", "timestamp", "tenant_id", "mt_dotnet_type", "headers", "user_name", "is_archived"];

    /// <summary>The columns of <see cref="Streams"/> the bulk append writes, in its COPY's order (verification reads id and version).</summary>
    public static readonly IReadOnlyList<string> StreamColumns = ["id", "type", "version", "timestamp", "created", "tenant_id"];

    /// <summary>The columns of <see cref="Snapshots"/> the snapshot writer writes.</summary>
    public static readonly IReadOnlyList<string> SnapshotColumns = ["id", "data", "mt_version", "mt_dotnet_type", "mt_last_modified"];

    /// <summary>The columns of <see cref="Progression"/> the health and lag checks read.</summary>
    public static readonly IReadOnlyList<string> ProgressionColumns = ["name", "last_seq_id"];

    /// <summary>The unique key whose violation is a version conflict (<see cref="VersionConflict"/>).</summary>
    public const string EventVersionKey = VersionConflict.EventVersionKey;

    /// <summary>An event's <c>mt_dotnet_type</c>, as Marten writes it: the type's full name and its assembly's.</summary>
    public static string DotNetTypeName(Type eventType) => $"{eventType.FullName}, {eventType.Assembly.GetName().Name}";

    /// <summary>An event's <c>headers</c>: the hash chain (<see cref="EventEnvelope"/>), the only headers the ledger sets.</summary>
    public static string HeadersJson(JasperFx.Events.IEvent e) =>
        $"{{\"{EventEnvelope.HashHeader}\": \"{e.GetHeader(EventEnvelope.HashHeader)}\", \"{EventEnvelope.PreviousHashHeader}\": \"{e.GetHeader(EventEnvelope.PreviousHashHeader)}\"}}";

    public static string Columns(IReadOnlyList<string> columns) => string.Join(", ", columns);
}
