using AgreementLedger.Ledger;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace AgreementLedger.Agreements.Versions;

/// <summary>
/// <c>ledger.agreement_versions</c>: one row per version of every agreement (but those no instant shows, see <see cref="Shown"/>), holding what the list and the
/// portfolio show of the agreement as folded after that version (<see cref="Agreement.Replay"/> of its first
/// <c>version</c> events), and the interval of recorded time in which it was the newest known version:
/// from its <c>recorded_at</c> up to, not including, the next version's (<c>superseded_at</c>, null while
/// it is the newest). "As known at t" is then one indexed read, <c>recorded_at &lt;= t and (superseded_at is
/// null or superseded_at &gt; t)</c>, instead of a fold of the events (docs/api.md "Queries": the list and the
/// portfolio cost work in proportion to the page). recordedAt never decreases along a stream, so the
/// intervals of a stream never overlap; versions recorded at the same instant leave the earlier ones an
/// empty interval, as the fold of the events recorded by then has only the newest.
/// <para>
/// Every writer of events writes these rows in the same transaction as the events: a command through
/// <see cref="AppendStatements"/>, the bulk import through <see cref="CopyNewAsync"/>, the one-pass rebuild
/// (which also fills a ledger stored before the table existed) through <see cref="BeginStagingAsync"/>.
/// What a page walks in id order is <see cref="FacetsTableName"/>: one row per agreement and per value a filter
/// may ask for (every agreement, its kind, each party it has had, each area), written with its versions.
/// The rows are derived state: <see cref="Filled"/> says whether they cover every stored version, and
/// until they do, the reads fold the events (<see cref="KnownAgreements"/>).
/// </para>
/// </summary>
public static class AgreementVersionRows
{
    public const string TableName = "agreement_versions";

    /// <summary>
    /// <c>ledger.agreement_facets</c>: one row per agreement (facet <see cref="AnyFacet"/>) and per kind, party and
    /// area it has had at any version, keyed (facet, value, agreement_id), so that a page walks, in id order, only
    /// the agreements that may pass its filter, and looks up each one's version as known at t by key: whatever the
    /// planner knows of the data (an array index would leave it to choose between that and a walk of every
    /// version). The version found is checked against the filters again (a party may have joined after t).
    /// Insert-only: an agreement never loses a party, an area or its kind.
    /// </summary>
    public const string FacetsTableName = "agreement_facets";

    public const string AnyFacet = "agreement";

    public const string KindFacet = "kind";

    public const string PartyFacet = "party";

    public const string AreaFacet = "area";

    /// <summary>One row once the rows cover every version stored (a ledger stored before the table existed, until filled, has none).</summary>
    public const string FilledTableName = "agreement_versions_filled";

    private const string Staged = "rebuilt_agreement_version";

    /// <summary>The columns in the order every statement here lists them.</summary>
    private static readonly string[] Columns =
        ["agreement_id", "version", "recorded_at", "superseded_at", "title", "kind", "status", "parties", "areas", "proposed_on", "signed_by", "signed_on"];

    private static readonly string ColumnList = string.Join(", ", Columns);

    public static Table Definition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("agreement_id").AsPrimaryKey();
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn("recorded_at", "timestamp with time zone").NotNull();
        table.AddColumn("superseded_at", "timestamp with time zone");
        table.AddColumn("title", "text").NotNull();
        table.AddColumn("kind", "text").NotNull();
        table.AddColumn("status", "text").NotNull();
        table.AddColumn("parties", "text[]").NotNull();
        table.AddColumn("areas", "text[]").NotNull();
        table.AddColumn("proposed_on", "date").NotNull();
        // The portfolio's "signed, signedOn" per party: the signatories' parties and days, in the same order.
        table.AddColumn("signed_by", "text[]").NotNull();
        table.AddColumn("signed_on", "date[]").NotNull();
        // A page walks the facets in id order and finds each agreement's version by the primary key, newest
        // first; a status filter alone walks the versions of that status in id order.
        table.Indexes.Add(new IndexDefinition($"{TableName}_status") { Columns = ["status", "agreement_id"] });
        return table;
    }

    public static Table FacetsDefinition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, FacetsTableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("facet", "text").AsPrimaryKey();
        table.AddColumn("value", "text").AsPrimaryKey();
        table.AddColumn<string>("agreement_id").AsPrimaryKey();
        return table;
    }

    public static Table FilledDefinition(string schemaName)
    {
        var table = new Table(new PostgresqlObjectName(schemaName, FilledTableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<int>("id").AsPrimaryKey();
        table.AddColumn("filled_at", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>
    /// What one append writes, in the append's transaction, for <paramref name="updated"/> (the agreement
    /// with the appended event folded in; <paramref name="previous"/> before it): the previous version's row closed
    /// at the new version's recordedAt and the new version's row, in one statement; and its facets, only when
    /// they may have changed (a new agreement, or one whose kind, parties or areas differ from before: facets are
    /// insert-only, so most commands add none). <paramref name="parameter"/> names the n-th parameter (1-based):
    /// <c>$n</c> for the command's batch (<see cref="StreamWrite.Beside"/>). Written once, for every writer of commands.
    /// </summary>
    public static IEnumerable<(string Sql, object[] Values)> AppendStatements(LedgerSchema schema, Agreement previous, Agreement updated, Func<int, string> parameter)
    {
        var table = $"{schema.Events}.{TableName}";
        var p = parameter;
        var row = Values(updated, supersededAt: null);
        var n = row.Length;
        yield return (
            $"with closed as (update {table} set superseded_at = {p(n + 1)} where agreement_id = {p(n + 2)} and version = {p(n + 3)} and superseded_at is null) " +
            $"insert into {table} ({ColumnList}) values ({string.Join(", ", row.Select((_, i) => p(i + 1)))}) " +
            $"on conflict (agreement_id, version) do update set {string.Join(", ", Columns.Skip(2).Select(c => $"{c} = excluded.{c}"))}",
            [.. row, updated.LastRecordedAt, updated.Id, updated.Version - 1]);

        if (previous.Version == 0 || previous.Kind != updated.Kind
            || !previous.Lifecycle.Parties.SequenceEqual(updated.Lifecycle.Parties) || !previous.Areas.SequenceEqual(updated.Areas))
        {
            yield return (
                $"insert into {schema.Events}.{FacetsTableName} (facet, value, agreement_id) select facet, value, {p(1)} from (" +
                FacetValues($"{p(2)}::text", $"{p(3)}::text[]", $"{p(4)}::text[]") + ") facets on conflict do nothing",
                [updated.Id, updated.Kind, updated.Lifecycle.Parties.ToArray(), updated.Areas.ToArray()]);
        }
    }

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
                    var closed = i + 1 < versions.Count ? versions[i + 1].LastRecordedAt : (DateTimeOffset?)null;
                    if (Shown(versions[i], closed))
                    {
                        await WriteAsync(copy, versions[i], closed, ct);
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

    /// <summary>The rows (facet, value) of an agreement's facets, given SQL for its kind, parties and areas.</summary>
    private static string FacetValues(string kind, string parties, string areas) =>
        $"select '{AnyFacet}' as facet, '' as value union all select '{KindFacet}', {kind} " +
        $"union all select '{PartyFacet}', unnest({parties}) union all select '{AreaFacet}', unnest({areas})";

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

    /// <summary>Stages the row of one version, closed at <paramref name="supersededAt"/> (null for the newest the rebuild read), unless no instant shows it.</summary>
    public static Task StageAsync(NpgsqlBinaryImporter staging, Agreement version, DateTimeOffset? supersededAt, CancellationToken ct) =>
        Shown(version, supersededAt) ? WriteAsync(staging, version, supersededAt, ct) : Task.CompletedTask;

    /// <summary>
    /// Whether some instant knows <paramref name="version"/> as the newest: not when the next version was recorded at
    /// the same instant (an empty interval; the bulk import stamps a whole history so), and such a row is never
    /// written by the import and the rebuild (a command writes it and closes it empty, as it cannot know).
    /// </summary>
    private static bool Shown(Agreement version, DateTimeOffset? supersededAt) => supersededAt is not { } closed || closed > version.LastRecordedAt;

    /// <summary>
    /// Writes the staged rows over the stored ones in one statement. A row a command closed meanwhile stays
    /// closed (the rebuild read the stream before that command's version): only the fold's own closing
    /// times replace the stored ones. What it returns is how many rows were written.
    /// </summary>
    public static async Task<long> UpsertStagedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerSchema schema, CancellationToken ct)
    {
        await using var upsert = new NpgsqlCommand(
            $"insert into {schema.Events}.{TableName} as v ({ColumnList}) select {ColumnList} from {Staged} " +
            $"on conflict (agreement_id, version) do update set " +
            string.Join(", ", Columns.Skip(2).Select(c => c == "superseded_at"
                ? "superseded_at = coalesce(excluded.superseded_at, v.superseded_at)"
                : $"{c} = excluded.{c}")),
            connection, transaction);
        upsert.CommandTimeout = 0;
        var written = await upsert.ExecuteNonQueryAsync(ct);

        // The facets of every staged version (insert-only: those stored already stay).
        await using var facets = new NpgsqlCommand(
            $"insert into {schema.Events}.{FacetsTableName} (facet, value, agreement_id) " +
            $"select distinct f.facet, f.value, s.agreement_id from {Staged} s cross join lateral ({FacetValues("s.kind", "s.parties", "s.areas")}) f " +
            "on conflict do nothing",
            connection, transaction);
        facets.CommandTimeout = 0;
        await facets.ExecuteNonQueryAsync(ct);
        return written;
    }

    /// <summary>
    /// After a rebuild has committed its rows: once every append still running has ended (the event table's
    /// SHARE lock waits for each holder of ROW EXCLUSIVE, which every append takes first), closes each row
    /// left open with a later version stored, and records that the rows cover every version. A command that
    /// appended to a stream while the rebuild had not yet committed its rows found no row to close; every
    /// later one finds it. Blocks appends only for the one update.
    /// </summary>
    public static async Task CloseAndMarkFilledAsync(NpgsqlDataSource db, LedgerSchema schema, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var table = $"{schema.Events}.{TableName}";
        foreach (var sql in new[]
        {
            $"lock table {schema.Events}.{MartenTables.Events} in share mode",
            $"update {table} v set superseded_at = (select min(n.recorded_at) from {table} n where n.agreement_id = v.agreement_id and n.version > v.version) " +
            $"where v.superseded_at is null and exists (select 1 from {table} n where n.agreement_id = v.agreement_id and n.version > v.version)",
            $"insert into {schema.Events}.{FilledTableName} (id, filled_at) values (1, now()) on conflict (id) do nothing",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
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
    private static object[] Values(Agreement version, DateTimeOffset? supersededAt)
    {
        var lifecycle = version.Lifecycle;
        return
        [
            version.Id, version.Version, version.LastRecordedAt, supersededAt ?? (object)DBNull.Value, version.Title, version.Kind,
            lifecycle.Status.ToString(), lifecycle.Parties.ToArray(), version.Areas.ToArray(), version.ProposedOn,
            lifecycle.Signatories.Select(s => s.Party).ToArray(), lifecycle.Signatories.Select(s => s.SignedOn).ToArray(),
        ];
    }

    /// <summary>One row by COPY, each column written with its own type (in <see cref="Columns"/>' order, as <see cref="Values"/> gives them).</summary>
    private static async Task WriteAsync(NpgsqlBinaryImporter copy, Agreement version, DateTimeOffset? supersededAt, CancellationToken ct)
    {
        var lifecycle = version.Lifecycle;
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(version.Id, NpgsqlDbType.Varchar, ct);
        await copy.WriteAsync(version.Version, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(version.LastRecordedAt, NpgsqlDbType.TimestampTz, ct);
        if (supersededAt is { } closed)
        {
            await copy.WriteAsync(closed, NpgsqlDbType.TimestampTz, ct);
        }
        else
        {
            await copy.WriteNullAsync(ct);
        }

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
