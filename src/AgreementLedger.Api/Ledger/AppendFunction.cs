using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

namespace AgreementLedger.Ledger;

/// <summary>
/// The ledger's own append function, which a command's commit calls (<see cref="LedgerAppend"/>): the events of one
/// stream after its expected version, in one statement that touches the stream's row once. It takes the event
/// table's append lock (<see cref="EventTableAppendLock"/>) before it draws a position; then a new stream's row is
/// inserted at its final version (a second stream of the id violates <see cref="VersionConflict.StreamKey"/>), and an
/// existing one's version is moved on by the events' count and checked against the expected one in the same
/// update, which takes the stream's row lock first, so writers of one stream queue there; a mismatch (behind, or
/// ahead after a restore) raises <see cref="VersionConflict.StreamVersionMismatch"/> and the transaction keeps
/// nothing. The events get their positions from Marten's sequence, in version order, and the row Marten's own
/// <c>mt_quick_append_events</c> would write (MartenTablesTests pins the columns); unlike it, this reads no row
/// before the update and looks up neither the stream's tenant nor its version again (one tenant, one update).
/// </summary>
public static class AppendFunction
{
    public const string Name = "ledger_append";

    public static Function Definition(LedgerSchema schema) =>
        new(new PostgresqlObjectName(schema.Events, Name, SchemaUtils.IdentifierUsage.General), Body(schema));

    /// <summary>The call a commit sends: <c>(stream, stream_type, tenant, event_ids, event_types, dotnet_types, bodies, headers, user_names, timestamps, expected_version)</c>.</summary>
    public static string Call(LedgerSchema schema) => $"select {schema.Events}.{Name}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

    private static string Body(LedgerSchema ledger)
    {
        var schema = ledger.Events;
        return $"""
        CREATE OR REPLACE FUNCTION {schema}.{Name}(stream character varying, stream_type character varying, tenantid character varying, event_ids uuid[], event_types character varying[], dotnet_types character varying[], bodies jsonb[], headers jsonb[], user_names character varying[], timestamps timestamp with time zone[], expected_version bigint)
         RETURNS bigint
         LANGUAGE plpgsql
        AS $function$
        DECLARE
            appended int := coalesce(array_length(event_ids, 1), 0);
            stored bigint;
        BEGIN
            {EventTableAppendLock.Statement(ledger)};
            if expected_version = 0 then
                insert into {schema}.{MartenTables.Streams} (id, type, version, timestamp, tenant_id) values (stream, stream_type, appended, now(), tenantid);
            else
                update {schema}.{MartenTables.Streams} set version = version + appended, timestamp = now()
                    where id = stream and not coalesce(is_archived, false) returning version - appended into stored;
                if stored is distinct from expected_version then
                    raise exception 'Stream version mismatch on ''%'': expected %, actual %', stream, expected_version, stored using errcode = '{VersionConflict.StreamVersionMismatch}';
                end if;
            end if;

            for i in 1 .. appended loop
                insert into {schema}.{MartenTables.Events} (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, headers, user_name)
                values (nextval('{schema}.{MartenTables.PositionSequence}'), event_ids[i], stream, expected_version + i, bodies[i], event_types[i], tenantid, timestamps[i], dotnet_types[i], false, headers[i], user_names[i]);
            end loop;

            return expected_version + appended;
        END;
        $function$;

        """;
    }
}
