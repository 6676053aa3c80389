using Npgsql;

namespace AgreementLedger.LocalPostgres;

/// <summary>
/// The service's own role in the embedded cluster, set up as the superuser: the role itself (no superuser),
/// and the ledger's database and every object in it owned by that role, whatever an older version left.
/// </summary>
internal static class ServiceRoleSetup
{
    /// <summary>
    /// Creates the database, owned by <see cref="LocalPostgresCluster.ServiceRole"/>, or hands an existing one to it with every
    /// schema, table, sequence, function and type in it that the superuser created (a folder of an older version).
    /// </summary>
    public static async Task EnsureDatabaseAsync(Func<string, string> superuserConnectionString, string database, CancellationToken ct)
    {
        // Unpooled: a pooled connection may predate a restart of the cluster.
        await using (var connection = new NpgsqlConnection(superuserConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync(ct);
            var quoted = LocalPostgresAccess.Quote(database);
            await using var owner = new NpgsqlCommand("select pg_get_userbyid(datdba) from pg_database where datname = $1", connection);
            owner.Parameters.Add(new NpgsqlParameter { Value = database });
            switch (await owner.ExecuteScalarAsync(ct))
            {
                case null:
                    await using (var create = new NpgsqlCommand($"create database {quoted} owner {LocalPostgresCluster.ServiceRole}", connection))
                    {
                        try
                        {
                            await create.ExecuteNonQueryAsync(ct);
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase || e.SqlState == PostgresErrorCodes.UniqueViolation)
                        {
                            // Created concurrently by another process: what we wanted.
                        }
                    }

                    return;
                case string current when current != LocalPostgresCluster.ServiceRole:
                    await using (var alter = new NpgsqlCommand($"alter database {quoted} owner to {LocalPostgresCluster.ServiceRole}", connection))
                    {
                        await alter.ExecuteNonQueryAsync(ct);
                    }

                    break;
            }
        }

        await HandOverObjectsAsync(superuserConnectionString(database) + ";Pooling=false", ct);
    }

    /// <summary>
    /// Creates the service's role, or makes sure it is what it must be: allowed to log in with the password kept in
    /// the private folder (made when missing), and no superuser, nor allowed to create roles or databases.
    /// </summary>
    public static async Task<ClusterPasswords> EnsureServiceRoleAsync(string root, string superuserConnectionString, string superuserPassword, CancellationToken ct)
    {
        var file = LocalPostgresAccess.ServicePasswordFile(root);
        var password = ClusterPasswords.Read(file);
        if (password is null)
        {
            password = ClusterPasswords.New();
            ClusterPasswords.Write(file, password, FileMode.Create);
        }

        await using var connection = new NpgsqlConnection(superuserConnectionString + ";Pooling=false");
        await connection.OpenAsync(ct);
        var role = LocalPostgresCluster.ServiceRole;
        await using var ensure = new NpgsqlCommand(
            $"do $$ begin if not exists (select from pg_roles where rolname = '{role}') then create role {role}; end if; " +
            "exception when duplicate_object then null; end $$; " +
            $"alter role {role} with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '{password}'",
            connection);
        await ensure.ExecuteNonQueryAsync(ct);
        return new ClusterPasswords(superuserPassword, password);
    }

    /// <summary>For a process sharing the cluster: the passwords, once its owner has set the service's role up.</summary>
    public static async Task<ClusterPasswords> WaitForServiceRoleAsync(string root, int port, CancellationToken ct)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if (ClusterPasswords.ReadSuperuser(root) is { } superuser && ClusterPasswords.Read(LocalPostgresAccess.ServicePasswordFile(root)) is { } service)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1", Port = port, Username = LocalPostgresCluster.ServiceRole, Password = service, Database = "postgres", Pooling = false, Timeout = 5,
                    }.ConnectionString);
                    await connection.OpenAsync(ct);
                    return new ClusterPasswords(superuser, service);
                }
                catch (NpgsqlException e)
                {
                    last = e;
                }
            }

            await Task.Delay(500, ct);
        }

        throw new LocalPostgresUnavailableException($"The PostgreSQL cluster in {root} is owned by another process that did not set up the service's role.", last);
    }

    /// <summary>
    /// Gives <see cref="LocalPostgresCluster.ServiceRole"/> every schema, table, view, sequence, function and type of the
    /// connected database that the bootstrap superuser owns (what an older version, which served as the superuser, created),
    /// outside the system schemas and extensions. REASSIGN OWNED cannot do it: the bootstrap superuser's objects include the
    /// system's own. Cheap when there is nothing to hand over.
    /// </summary>
    public static async Task HandOverObjectsAsync(string superuserConnectionString, CancellationToken ct)
    {
        const string HandOver = """
            do $$
            declare
              r record;
              svc constant text := '{role}';
            begin
              for r in select n.nspname from pg_namespace n
                       where n.nspowner = 10 and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
              loop
                execute format('alter schema %I owner to %I', r.nspname, svc);
              end loop;

              for r in select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relowner = 10 and c.relkind in ('r', 'p', 'v', 'm', 'f')
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I',
                  case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, r.name, svc);
              end loop;

              -- Sequences a column owns followed their table; these are the free-standing ones.
              for r in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where c.relowner = 10 and c.relkind = 'S'
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i', 'e'))
              loop
                execute format('alter sequence %s owner to %I', r.name, svc);
              end loop;

              for r in select p.oid::regprocedure as name, p.prokind from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                       where p.proowner = 10 and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I',
                  case r.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end, r.name, svc);
              end loop;

              -- Row types follow their tables, array and multirange types their element and range types.
              for r in select t.oid::regtype as name, t.typtype from pg_type t join pg_namespace n on n.oid = t.typnamespace
                       where t.typowner = 10 and t.typtype in ('c', 'd', 'e', 'r')
                         and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
                         and n.nspname not like 'pg\_%' and n.nspname <> 'information_schema'
                         and not exists (select from pg_depend d where d.classid = 'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e')
              loop
                execute format('alter %s %s owner to %I', case r.typtype when 'd' then 'domain' else 'type' end, r.name, svc);
              end loop;
            end $$
            """;
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(HandOver.Replace("{role}", LocalPostgresCluster.ServiceRole, StringComparison.Ordinal), connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
