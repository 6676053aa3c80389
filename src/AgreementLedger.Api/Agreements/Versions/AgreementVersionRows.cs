using AgreementLedger.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace AgreementLedger.Agreements.Versions;

/// <summary>
/// <c>ledger.agreement_versions</c>: one row per version of every agreement (but those no instant shows, see <see cref="Shown"/>), holding what the list and the
/// portfolio show of the agreement as folded after that version (<see cref="Agreement.Replay"/> of its first
/// <c>version</c> events), and when it was recorded. "As known at t" is the agreement's newest row recorded at or
/// before t, one read by the primary key newest-first, instead of a fold of the events (docs/api.md "Queries": the
/// list and the portfolio cost work in proportion to the page). recordedAt never decreases along a stream, so
/// that row is the version that was newest at t; of versions recorded at the same instant, the newest.
/// The table is insert-only: a command adds its row and touches no other.
/// <para>
/// Every writer of events writes these rows in the same transaction as the events: a command through
/// <see cref="AppendStatements"/>, the bulk import through <see cref="CopyNewAsync"/>, the one-pass rebuild
/// (which also fills a ledger stored before the table existed) through <see cref="BeginStagingAsync"/>.
/// What a page walks in id order is <see cref="FacetsTableName"/>: one row per agreement and per value a filter
/// may ask for (every agreement, its kind, each party, area and status it has had), written with its versions.
/// The rows are derived state: <see cref="Filled"/> says whether they cover every stored version, and
/// until they do, the reads fold the events (<see cref="KnownAgreements"/>).
/// </para>
/// </summary>
public static partial class AgreementVersionRows
{
    private const string Staged = "rebuilt_agreement_version";

    /// <summary>The columns in the order every statement here lists them.</summary>
    private static readonly string[] Columns =
        ["agreement_id", "version", "recorded_at", "title", "kind", "status", "parties", "areas", "proposed_on", "signed_by", "signed_on"];

    private static readonly string ColumnList = string.Join(", ", Columns);

    /// <summary>
    /// What one append writes, in the append's transaction, for <paramref name="updated"/> (the agreement
    /// with the appended events folded in; <paramref name="previous"/> before them): the new version's row; and its
    /// facets, only when they may have changed (a new agreement, or one whose kind, parties, areas or status differ
    /// from before: facets are insert-only, so most commands add none). The statements take positional parameters
    /// (<c>$1</c>…), for the command's batch (<see cref="StreamWrite.Beside"/>), and are built once per schema.
    /// Written once, for every writer of commands.
    /// </summary>
    public static IEnumerable<(string Sql, object[] Values)> AppendStatements(LedgerSchema schema, Agreement previous, Agreement updated)
    {
        var (rowSql, facetsSql) = AppendSql.GetOrAdd(schema.Events, BuildAppendSql);
        yield return (rowSql, Values(updated));

        if (previous.Version == 0 || previous.Kind != updated.Kind || previous.Lifecycle.Status != updated.Lifecycle.Status
            || !previous.Lifecycle.Parties.SequenceEqual(updated.Lifecycle.Parties) || !previous.Areas.SequenceEqual(updated.Areas))
        {
            yield return (facetsSql,
                [updated.Id, updated.Kind, updated.Lifecycle.Parties.ToArray(), updated.Areas.ToArray(), updated.Lifecycle.Status.ToString()]);
        }
    }

    /// <summary><see cref="AppendStatements"/>' two statements, by the schema they write to.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Row, string Facets)> AppendSql = new();

    private static (string Row, string Facets) BuildAppendSql(string events) => (
        $"insert into {events}.{TableName} ({ColumnList}) values ({string.Join(", ", Columns.Select((_, i) => $"${i + 1}"))}) " +
        $"on conflict (agreement_id, version) do update set {string.Join(", ", Columns.Skip(2).Select(c => $"{c} = excluded.{c}"))}",
        $"insert into {events}.{FacetsTableName} (facet, value, agreement_id) select facet, value, $1 from (" +
        FacetValues("$2::text", "$3::text[]", "$4::text[]", "$5::text") + ") facets on conflict do nothing");

    /// <summary>
    /// The rows of new streams (the bulk import: nothing to close or upsert over), by COPY inside the caller's
    /// transaction: each stream's states after each of its versions, in version order.
    /// </summary>
    public static async Task CopyNewAsync(NpgsqlConnection connection, LedgerSchema schema, IReadOnlyList<IReadOnlyList<Agreement>> streams, CancellationToken ct)
    {
        await using (var copy = await connection.BeginBinaryImportAsync($"copy {schema.Events}.{TableName} ({ColumnList}) from stdin (format binary)", ct))
        {
            foreach (var versions in streams)
            {
                for (var i = 0; i < versions.Count; i++)
                {
                    var next = i + 1 < versions.Count ? versions[i + 1].LastRecordedAt : (DateTimeOffset?)null;
                    if (Shown(versions[i], next))
                    {
                        await WriteAsync(copy, versions[i], ct);
                    }
                }
            }

            await copy.CompleteAsync(ct);
        }

        await using var facets = await connection.BeginBinaryImportAsync(
            $"copy {schema.Events}.{FacetsTableName} (facet, value, agreement_id) from stdin (format binary)", ct);
        foreach (var versions in streams.Where(v => v.Count > 0))
        {
            var rows = versions.SelectMany(v => v.Lifecycle.Parties.Select(party => (PartyFacet, party)))
                .Concat(versions.Select(v => (StatusFacet, v.Lifecycle.Status.ToString())))
                .Concat([(AnyFacet, ""), (KindFacet, versions[0].Kind)])
                .Concat(versions[0].Areas.Select(area => (AreaFacet, area)))
                .Distinct();
            foreach (var (facet, value) in rows)
            {
                await facets.StartRowAsync(ct);
                await facets.WriteAsync(facet, NpgsqlDbType.Text, ct);
                await facets.WriteAsync(value, NpgsqlDbType.Text, ct);
                await facets.WriteAsync(versions[0].Id, NpgsqlDbType.Varchar, ct);
            }
        }

        await facets.CompleteAsync(ct);
    }

    /// <summary>The rows (facet, value) of an agreement's facets, given SQL for its kind, parties, areas and status.</summary>
    private static string FacetValues(string kind, string parties, string areas, string status) =>
        $"select '{AnyFacet}' as facet, '' as value union all select '{KindFacet}', {kind} " +
        $"union all select '{PartyFacet}', unnest({parties}) union all select '{AreaFacet}', unnest({areas}) " +
        $"union all select '{StatusFacet}', {status}";

    /// <summary>Starts staging the rows the one-pass rebuild folds, in a temporary table of the caller's transaction.</summary>
    public static async Task<NpgsqlBinaryImporter> BeginStagingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerSchema schema, CancellationToken ct)
    {
        await using (var temp = new NpgsqlCommand(
            $"create temp table {Staged} (like {schema.Events}.{TableName} including defaults) on commit drop", connection, transaction))
        {
            await temp.ExecuteNonQueryAsync(ct);
        }

        return await connection.BeginBinaryImportAsync($"copy {Staged} ({ColumnList}) from stdin (format binary)", ct);
    }

    /// <summary>Stages the row of one version, the next one having been recorded at <paramref name="nextRecordedAt"/> (null for the newest the rebuild read), unless no instant shows it.</summary>
    public static Task StageAsync(NpgsqlBinaryImporter staging, Agreement version, DateTimeOffset? nextRecordedAt, CancellationToken ct) =>
        Shown(version, nextRecordedAt) ? WriteAsync(staging, version, ct) : Task.CompletedTask;

    /// <summary>
    /// Whether some instant knows <paramref name="version"/> as the newest: not when the next version was recorded at
    /// the same instant (an empty interval; the bulk import stamps a whole history so), and such a row is never
    /// written by the import and the rebuild (a command writes it, as it cannot know; the read takes the newest of them).
    /// </summary>
    private static bool Shown(Agreement version, DateTimeOffset? nextRecordedAt) => nextRecordedAt is not { } next || next > version.LastRecordedAt;

    /// <summary>Writes the staged rows over the stored ones in one statement. What it returns is how many rows were written.</summary>
    public static async Task<long> UpsertStagedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerSchema schema, CancellationToken ct)
    {
        await using var upsert = new NpgsqlCommand(
            $"insert into {schema.Events}.{TableName} as v ({ColumnList}) select {ColumnList} from {Staged} " +
            $"on conflict (agreement_id, version) do update set " +
            string.Join(", ", Columns.Skip(2).Select(c => $"{c} = excluded.{c}")),
            connection, transaction);
        upsert.CommandTimeout = 0;
        var written = await upsert.ExecuteNonQueryAsync(ct);

        // The facets of every staged version (insert-only: those stored already stay).
        await using var facets = new NpgsqlCommand(
            $"insert into {schema.Events}.{FacetsTableName} (facet, value, agreement_id) " +
            $"select distinct f.facet, f.value, s.agreement_id from {Staged} s cross join lateral ({FacetValues("s.kind", "s.parties", "s.areas", "s.status")}) f " +
            "on conflict do nothing",
            connection, transaction);
        facets.CommandTimeout = 0;
        await facets.ExecuteNonQueryAsync(ct);
        return written;
    }

    /// <summary>
    /// After a rebuild has committed its rows, records that they cover every version: every version stored before the
    /// rebuild read its stream is among them, and every later one was written with its own row.
    /// </summary>
    public static async Task MarkFilledAsync(NpgsqlDataSource db, LedgerSchema schema, CancellationToken ct)
    {
        await using (var command = db.CreateCommand($"insert into {schema.Events}.{FilledTableName} (id, filled_at) values (1, now()) on conflict (id) do nothing"))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        await AnalyzeAsync(db, schema, ct);
    }

    /// <summary>
    /// Refreshes the planner's statistics of the rows after a writer added many at once (the import, the
    /// rebuild), as autovacuum would later: without them a filter that matches nothing may be planned as a
    /// walk of the keyset, reading every row, instead of a look-up in its index.
    /// </summary>
    public static async Task AnalyzeAsync(NpgsqlDataSource db, LedgerSchema schema, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"analyze {schema.Events}.{TableName}, {schema.Events}.{FacetsTableName}");
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records that the rows cover every version, when no event is stored at all (a new ledger: every append writes its row).</summary>
    public static async Task<bool> MarkFilledIfNoEventsAsync(NpgsqlDataSource db, LedgerSchema schema, CancellationToken ct)
    {
        await using var command = db.CreateCommand(
            $"insert into {schema.Events}.{FilledTableName} (id, filled_at) select 1, now() " +
            $"where not exists (select 1 from {schema.Events}.{MartenTables.Events}) on conflict (id) do nothing");
        await command.ExecuteNonQueryAsync(ct);
        return await FilledAsync(db, schema, ct);
    }

    /// <summary>Whether the rows cover every version stored.</summary>
    public static async Task<bool> FilledAsync(NpgsqlDataSource db, LedgerSchema schema, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"select exists (select 1 from {schema.Events}.{FilledTableName})");
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The listed fields of <paramref name="version"/>, in <see cref="Columns"/>' order.</summary>
    private static object[] Values(Agreement version)
    {
        var lifecycle = version.Lifecycle;
        return
        [
            version.Id, version.Version, version.LastRecordedAt, version.Title, version.Kind,
            lifecycle.Status.ToString(), lifecycle.Parties.ToArray(), version.Areas.ToArray(), version.ProposedOn,
            lifecycle.Signatories.Select(s => s.Party).ToArray(), lifecycle.Signatories.Select(s => s.SignedOn).ToArray(),
        ];
    }

    /// <summary>One row by COPY, each column written with its own type (in <see cref="Columns"/>' order, as <see cref="Values"/> gives them).</summary>
    private static async Task WriteAsync(NpgsqlBinaryImporter copy, Agreement version, CancellationToken ct)
    {
        var lifecycle = version.Lifecycle;
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(version.Id, NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(version.Version, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(version.LastRecordedAt, NpgsqlDbType.TimestampTz, ct);

        await copy.WriteAsync(version.Title, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(version.Kind, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(lifecycle.Status.ToString(), NpgsqlDbType.Text, ct);
        await copy.WriteAsync(lifecycle.Parties.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
        await copy.WriteAsync(version.Areas.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
        await copy.WriteAsync(version.ProposedOn, NpgsqlDbType.Date, ct);
        await copy.WriteAsync(lifecycle.Signatories.Select(s => s.Party).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
        await copy.WriteAsync(lifecycle.Signatories.Select(s => s.SignedOn).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Date, ct);
    }
}
