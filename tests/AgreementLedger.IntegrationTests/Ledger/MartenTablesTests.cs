using System.Reflection;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgreementLedger.IntegrationTests.Ledger;

/// <summary>
/// The kernel writes Marten's tables by hand (the bulk append, the snapshot writer) and reads them
/// (the stored-event reader, positions, stream versions, the version-conflict key): every name and
/// column type it relies on is pinned here against the schema Marten built, so an upgrade of Marten
/// that changes one fails here, naming the version, instead of in a COPY in production.
/// </summary>
[Collection(AuditCollection.Name)]
public sealed class MartenTablesTests(LedgerHost ledger)
{
    private static readonly string MartenVersion =
        typeof(Marten.IDocumentStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Marten.IDocumentStore).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>The types binary COPY writes each column as (NpgsqlDbType in BulkAppend and SnapshotWriter); COPY refuses any other.</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Expected = new(StringComparer.Ordinal)
    {
        [MartenTables.Events] = new(StringComparer.Ordinal)
        {
            ["seq_id"] = "bigint", ["id"] = "uuid", ["stream_id"] = "character varying", ["version"] = "bigint", ["data"] = "jsonb",
            ["type"] = "character varying", ["timestamp"] = "timestamp with time zone", ["tenant_id"] = "character varying",
            ["mt_dotnet_type"] = "character varying", ["headers"] = "jsonb", ["user_name"] = "character varying", ["is_archived"] = "boolean",
        },
        [MartenTables.Streams] = new(StringComparer.Ordinal)
        {
            ["id"] = "character varying", ["type"] = "character varying", ["version"] = "bigint",
            ["timestamp"] = "timestamp with time zone", ["created"] = "timestamp with time zone", ["tenant_id"] = "character varying",
        },
        [MartenTables.Snapshots] = new(StringComparer.Ordinal)
        {
            ["id"] = "character varying", ["data"] = "jsonb", ["mt_version"] = "bigint",
            ["mt_dotnet_type"] = "character varying", ["mt_last_modified"] = "timestamp with time zone",
        },
        [MartenTables.Progression] = new(StringComparer.Ordinal) { ["name"] = "character varying", ["last_seq_id"] = "bigint" },
    };

    [Fact]
    public void the_pinned_columns_are_the_ones_the_kernel_lists()
    {
        Assert.Equal(MartenTables.EventColumns.Order(StringComparer.Ordinal), Expected[MartenTables.Events].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MartenTables.StreamColumns.Order(StringComparer.Ordinal), Expected[MartenTables.Streams].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MartenTables.SnapshotColumns.Order(StringComparer.Ordinal), Expected[MartenTables.Snapshots].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MartenTables.ProgressionColumns.Order(StringComparer.Ordinal), Expected[MartenTables.Progression].Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task marten_s_tables_have_the_columns_and_types_the_kernel_writes_and_reads()
    {
        await ledger.Host.ProposedAsync(Given.NewId("tables"), "JP");
        var failures = new List<string>();
        foreach (var (table, columns) in Expected)
        {
            var actual = await ColumnsAsync(table);
            foreach (var (column, type) in columns)
            {
                if (!actual.TryGetValue(column, out var found))
                {
                    failures.Add($"ledger.{table} has no column {column} (it has {string.Join(", ", actual.Keys.Order(StringComparer.Ordinal))})");
                }
                else if (found != type)
                {
                    failures.Add($"ledger.{table}.{column} is {found}, not {type}");
                }
            }
        }

        Assert.True(failures.Count == 0,
            $"Marten {MartenVersion} changed the tables the ledger kernel writes and reads by hand (src/AgreementLedger.Api/Ledger/MartenTables.cs): " + string.Join("; ", failures));
    }

    [Fact]
    public async Task positions_are_drawn_from_marten_s_sequence()
    {
        var found = await ledger.ScalarAsync<long>(
            "select count(*) from information_schema.sequences where sequence_schema = 'ledger' and sequence_name = $1", MartenTables.PositionSequence);
        Assert.True(found == 1, $"Marten {MartenVersion} no longer draws event positions from ledger.{MartenTables.PositionSequence}: the bulk append draws from it");
    }

    [Fact]
    public async Task a_duplicate_version_violates_the_key_the_version_conflict_names()
    {
        // A unique index, as Marten builds it, or a constraint: either way the violation carries this name.
        var definition = await ledger.ScalarAsync<string>(
            "select coalesce((select pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid " +
            "where i.indisunique and i.indrelid = ('ledger.' || $1)::regclass and c.relname = $2), '')",
            MartenTables.Events, MartenTables.EventVersionKey);
        Assert.True(definition.Contains("(stream_id, version)", StringComparison.Ordinal),
            $"Marten {MartenVersion} no longer keys ledger.{MartenTables.Events} on (stream_id, version) under the name {MartenTables.EventVersionKey} " +
            $"(found: '{definition}'): VersionConflict would no longer recognise a concurrent append as a conflict");
    }

    [Fact]
    public async Task a_second_stream_of_one_id_violates_the_key_the_version_conflict_names()
    {
        var key = await ledger.ScalarAsync<string>(
            "select coalesce((select c.conname from pg_constraint c where c.conrelid = ('ledger.' || $1)::regclass and c.contype = 'p'), '')", MartenTables.Streams);
        Assert.True(key == VersionConflict.StreamKey,
            $"Marten {MartenVersion} names the key of ledger.{MartenTables.Streams} '{key}', not {VersionConflict.StreamKey}: two proposals of one id at once would answer 500, not 409");
    }

    [Fact]
    public async Task a_started_ledger_s_schema_needs_no_change_so_no_start_rewrites_the_append_function_under_writers()
    {
        var store = ledger.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var migration = await store.Storage.Database.CreateMigrationAsync();
        var changes = string.Join("; ", migration.Deltas.Where(d => d.Difference != Weasel.Core.SchemaPatchDifference.None).Select(d => $"{d.SchemaObject.Identifier}: {d.Difference}"));
        Assert.True(migration.Difference == Weasel.Core.SchemaPatchDifference.None, changes);
    }

    [Theory]
    [InlineData(0, "behind")]
    [InlineData(2, "ahead (a restore)")]
    public async Task the_ledger_s_append_function_refuses_an_expected_version_the_stream_is_not_at_with_mt003_appending_nothing(long expected, string _)
    {
        var id = Given.NewId("append-function");
        await ledger.Host.ProposedAsync(id, "JP");
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var stale = new NpgsqlCommand(
            $"select ledger.{AppendFunction.Name}($1, 'agreement', '*DEFAULT*', array[gen_random_uuid()], array['x'], array['x'], array['{{}}'::jsonb], " +
            "array['{}'::jsonb], array['t'], array[now()], $2)", connection);
        stale.Parameters.Add(new NpgsqlParameter { Value = id });
        stale.Parameters.Add(new NpgsqlParameter { Value = expected });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => stale.ExecuteNonQueryAsync());

        // Expected 0 is a new stream: the id's row exists, so the stream table's key refuses it.
        Assert.True(VersionConflict.Is(refused), $"{refused.SqlState} {refused.ConstraintName}: {refused.MessageText}");
        Assert.Equal(expected == 0 ? Npgsql.PostgresErrorCodes.UniqueViolation : VersionConflict.StreamVersionMismatch, refused.SqlState);
        Assert.Equal(1, await ledger.EventCountAsync(id));
        Assert.Equal(1L, await ledger.ScalarAsync<long>("select version from ledger.mt_streams where id = $1", id));
    }

    [Fact]
    public async Task the_ledger_s_append_function_writes_the_rows_marten_s_own_would()
    {
        // One agreement through the ledger's function, one through Marten's: the same columns filled, the same way.
        var (ours, martens) = (Given.NewId("append-ours"), Given.NewId("append-martens"));
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        const string Arrays = "array[gen_random_uuid(), gen_random_uuid()], array['a', 'b'], array['A', 'B'], " +
            "array['{\"n\": 1}'::jsonb, '{\"n\": 2}'::jsonb]";
        foreach (var (sql, id) in new[]
        {
            ($"select ledger.{AppendFunction.Name}($1, 'agreement', '*DEFAULT*', {Arrays}, array['{{}}'::jsonb, '{{}}'::jsonb], array['u', 'u'], array['2024-01-01Z'::timestamptz, '2024-01-01Z'], 0)", ours),
            ($"select ledger.mt_quick_append_events($1, 'agreement', '*DEFAULT*', {Arrays}, array[null::bytea, null], array['{{}}'::jsonb, '{{}}'::jsonb], array['u', 'u'], array['2024-01-01Z'::timestamptz, '2024-01-01Z'], 0)", martens),
        })
        {
            await using var append = new NpgsqlCommand(sql, connection);
            append.Parameters.Add(new NpgsqlParameter { Value = id });
            await append.ExecuteNonQueryAsync();
        }

        const string Rows = "select string_agg(concat_ws('|', version, data, bdata, type, tenant_id, timestamp, mt_dotnet_type, is_archived, headers, user_name), ';' order by seq_id) from ledger.mt_events where stream_id = $1";
        Assert.Equal(await ledger.ScalarAsync<string>(Rows, martens), await ledger.ScalarAsync<string>(Rows, ours));
        const string Stream = "select concat_ws('|', type, version, tenant_id, is_archived, compacted_version) from ledger.mt_streams where id = $1";
        Assert.Equal(await ledger.ScalarAsync<string>(Stream, martens), await ledger.ScalarAsync<string>(Stream, ours));
        Assert.True(await ledger.ScalarAsync<bool>(
            "select bool_and(a.seq_id < b.seq_id) from ledger.mt_events a join ledger.mt_events b on b.stream_id = a.stream_id and b.version = a.version + 1 where a.stream_id = $1", ours));
    }

    private async Task<Dictionary<string, string>> ColumnsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select column_name, data_type from information_schema.columns where table_schema = 'ledger' and table_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }

        return columns;
    }
}
