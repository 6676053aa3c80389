using System.Reflection;
using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Ledger;
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
    public async Task marten_s_append_function_takes_the_arguments_the_commit_passes_and_refuses_a_stale_version_with_mt003()
    {
        var arguments = await ledger.ScalarAsync<string>(
            "select coalesce((select pg_get_function_identity_arguments(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace " +
            "where n.nspname = 'ledger' and p.proname = $1), '')", MartenTables.AppendFunction);
        Assert.True(arguments == "stream character varying, stream_type character varying, tenantid character varying, event_ids uuid[], " +
            "event_types character varying[], dotnet_types character varying[], bodies jsonb[], bdatas bytea[], headers jsonb[], " +
            "user_names character varying[], timestamps timestamp with time zone[], expected_version bigint",
            $"Marten {MartenVersion} changed ledger.{MartenTables.AppendFunction} (now: '{arguments}'): LedgerAppend calls it with twelve arguments in that order");

        // Its body is Marten's too: a stale expected version must raise MT003, the code VersionConflict knows.
        var id = Given.NewId("append-function");
        await ledger.Host.ProposedAsync(id, "JP");
        await using var connection = new NpgsqlConnection(ledger.ConnectionString);
        await connection.OpenAsync();
        await using var stale = new NpgsqlCommand(
            $"select ledger.{MartenTables.AppendFunction}($1, 'agreement', '*DEFAULT*', array[gen_random_uuid()], array['x'], array['x'], array['{{}}'::jsonb], " +
            "array[null::bytea], array['{}'::jsonb], array['t'], array[now()], 0)", connection);
        stale.Parameters.Add(new NpgsqlParameter { Value = id });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => stale.ExecuteNonQueryAsync());
        Assert.Equal(VersionConflict.StreamVersionMismatch, refused.SqlState);
        Assert.Equal(1, await ledger.EventCountAsync(id));
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
