using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Alba;
using AgreementLedger.Audit.Digests;
using AgreementLedger.LocalPostgres;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Npgsql;
using Wolverine;

namespace AgreementLedger.IntegrationTests.LocalPostgres;

/// <summary>
/// Who may reach the embedded cluster and the secrets beside it: nobody without a password, the service as a
/// role that is no superuser, and no other local OS user (the database's own included) to the passwords or the key.
/// The checks that switch OS users run as root, as the service does here.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresAccessTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"{Environment.ProcessId}-access-{Guid.NewGuid():N}");

    [Fact]
    public async Task nobody_connects_over_tcp_without_the_password_not_even_as_the_superuser()
    {
        var cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        try
        {
            await AssertRefusesPasswordlessSuperuserAsync(cluster);

            var wrong = new NpgsqlConnectionStringBuilder(cluster.SuperuserConnectionString("postgres")) { Password = "guessed", Pooling = false }.ConnectionString;
            await using var guessed = new NpgsqlConnection(wrong);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => guessed.OpenAsync());
            Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

            if (Environment.IsPrivilegedProcess)
            {
                // Another local OS user, with psql and no password: refused.
                var (code, output) = RunAs("nobody", "nogroup", Path.Combine(cluster.BinDirectory, "psql"),
                    "-w", "-h", "127.0.0.1", "-p", cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-c", "select 1");
                Assert.NotEqual(0, code);
                Assert.Contains("password", output, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task the_service_role_is_no_superuser_and_cannot_read_the_key_through_sql()
    {
        var cluster = await StartWithKeyAsync();
        try
        {
            await cluster.EnsureDatabaseAsync("ledger");
            Assert.True(File.Exists(cluster.AuditKeyFile));

            await using var service = new NpgsqlConnection(cluster.ConnectionString("ledger") + ";Pooling=false");
            await service.OpenAsync();
            Assert.Equal(LocalPostgresCluster.ServiceRole, await ScalarAsync<string>(service, "select current_user"));
            Assert.False(await ScalarAsync<bool>(service, "select rolsuper from pg_roles where rolname = current_user"));
            Assert.False(await ScalarAsync<bool>(service, "select pg_has_role(current_user, 'pg_read_server_files', 'member')"));
            Assert.Equal(LocalPostgresCluster.ServiceRole, await ScalarAsync<string>(service, "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"));
            var denied = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<byte[]>(service, $"select pg_read_binary_file('{cluster.AuditKeyFile}')"));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

            if (Environment.IsPrivilegedProcess)
            {
                // The key is outside every folder the database's OS user can enter: not even its superuser reads it.
                await using var superuser = new NpgsqlConnection(cluster.SuperuserConnectionString("ledger") + ";Pooling=false");
                await superuser.OpenAsync();
                var unreadable = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<byte[]>(superuser, $"select pg_read_binary_file('{cluster.AuditKeyFile}')"));
                Assert.Contains("Permission denied", unreadable.MessageText, StringComparison.Ordinal);
            }
        }
        finally
        {
            await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task another_local_user_and_the_database_user_cannot_read_the_passwords_or_the_key()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // Switching OS users takes root; as another user the cluster runs as that user and all of it is theirs.
        }

        var cluster = await StartWithKeyAsync();
        try
        {
            var secrets = new[] { cluster.AuditKeyFile, cluster.ServicePasswordFile, Path.Combine(cluster.PrivateDirectory, "superuser-password") };
            Assert.All(secrets, file => Assert.True(File.Exists(file), file));
            foreach (var file in secrets)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.NotEqual(0, RunAs("nobody", "nogroup", "cat", file).Code);
                Assert.NotEqual(0, RunAs("postgres", "postgres", "cat", file).Code);
            }

            Assert.NotEqual(0, RunAs("postgres", "postgres", "ls", cluster.PrivateDirectory).Code);
            Assert.NotEqual(0, RunAs("nobody", "nogroup", "ls", cluster.Root).Code);
        }
        finally
        {
            await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task a_folder_of_the_trusting_version_is_converted_on_its_next_start_and_keeps_its_digest_key()
    {
        var (agreementId, keyId) = await CreateOldStyleFolderAsync();

        LocalPostgresCluster cluster;
        await using (var host = await StartEmbeddedAsync())
        {
            cluster = host.Services.GetRequiredService<LocalPostgresCluster>();

            // The same key, moved: the digests it signed before still verify.
            var keys = await Answer.From(await host.Scenario(s => s.Get.Url("/audit/public-key")));
            Assert.Equal(keyId, keys["keys"][0].GetProperty("keyId").GetString());
            Assert.Contains("converted from trust", cluster.StartReport, StringComparison.Ordinal);
            Assert.Contains("moved the digest signing key", cluster.StartReport, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(_root, "audit-signing-key.pk8")));
            Assert.True(File.Exists(cluster.AuditKeyFile));
            var verify = await Answer.From(await host.Scenario(s => s.Get.Url("/audit/verify")));
            Assert.True(verify["verified"].GetBoolean(), verify.Text);

            // The data is there, and the service (now its own role) can still change the tables the superuser created.
            await host.Scenario(s => s.Get.Url($"/agreements/{agreementId}"));
            await host.Scenario(s =>
            {
                s.Post.Json(new { id = "after-conversion", title = "T", kind = "other", parties = new[] { "JP" }, areas = Array.Empty<string>() }).ToUrl("/agreements");
                s.StatusCodeShouldBe(201);
            });

            // Trust is gone; the service's role is no superuser and owns what it uses.
            Assert.DoesNotContain("trust", StripComments(Path.Combine(cluster.DataDirectory, "pg_hba.conf")), StringComparison.Ordinal);
            await AssertRefusesPasswordlessSuperuserAsync(cluster);
            await using var service = new NpgsqlConnection(cluster.ConnectionString(LedgerDatabase.DatabaseName) + ";Pooling=false");
            await service.OpenAsync();
            Assert.False(await ScalarAsync<bool>(service, "select rolsuper from pg_roles where rolname = current_user"));
            Assert.Equal(0L, await ScalarAsync<long>(service,
                "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
                "where c.relowner = 10 and n.nspname in ('ledger', 'wolverine', 'public')"));
        }

        await cluster.StopAsync();
        await using (var restarted = await StartEmbeddedAsync())
        {
            var again = restarted.Services.GetRequiredService<LocalPostgresCluster>();
            Assert.DoesNotContain("converted", again.StartReport, StringComparison.Ordinal);
            var keys = await Answer.From(await restarted.Scenario(s => s.Get.Url("/audit/public-key")));
            Assert.Equal(keyId, keys["keys"][0].GetProperty("keyId").GetString());
            await restarted.Services.GetRequiredService<LocalPostgresCluster>().StopAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// What the version before this one left in its data folder: initdb with --auth=trust into root/data, the service
    /// (connected as the superuser) having created its tables and signed digests with the key file root/audit-signing-key.pk8,
    /// and all of root given to the postgres user (it ran chown -R at every start).
    /// </summary>
    private async Task<(string AgreementId, string KeyId)> CreateOldStyleFolderAsync()
    {
        var bin = PostgresBinaries.Find(null)!;
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_root);
        GiveToPostgres();
        AsPostgres(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions");
        var port = FreePort();
        AsPostgres(Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start");
        await File.WriteAllTextAsync(Path.Combine(_root, "port"), port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(Path.Combine(_root, "owner.lock"), "");
        try
        {
            var superuser = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false };
            await using (var connection = new NpgsqlConnection(superuser.ConnectionString))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"create database {LedgerDatabase.DatabaseName}", connection);
                await create.ExecuteNonQueryAsync();
            }

            superuser.Database = LedgerDatabase.DatabaseName;
            var oldKey = Path.Combine(_root, "audit-signing-key.pk8");
            var agreementId = "before-conversion";
            string keyId;
            await using (var old = await AlbaHost.For<Program>(builder =>
            {
                builder.UseEnvironment("Development");
                builder.UseSetting("ConnectionStrings:Ledger", superuser.ConnectionString);
                builder.UseSetting("Ledger:Audit:KeyFile", oldKey);
                builder.ConfigureServices(services =>
                {
                    services.RunWolverineInSoloMode();
                    services.AddTransient<IStartupFilter, LoopbackRemoteAddress>();
                });
            }))
            {
                await old.Scenario(s =>
                {
                    s.Post.Json(new { id = agreementId, title = "T", kind = "other", parties = new[] { "GB" }, areas = Array.Empty<string>() }).ToUrl("/agreements");
                    s.StatusCodeShouldBe(201);
                });
                keyId = (await Answer.From(await old.Scenario(s => s.Get.Url("/audit/digest"))))["keyId"].GetString()!;
            }

            Assert.Equal(keyId, AuditSigningKey.KeyIdOf(PublicKeyOf(await File.ReadAllBytesAsync(oldKey))));
            return (agreementId, keyId);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            AsPostgres(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "-t", "60", "stop");
            GiveToPostgres();
        }
    }

    private void GiveToPostgres()
    {
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(0, Run("chown", "-R", "postgres:postgres", _root).Code);
        }

        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>A cluster that made its digest key in its first life, started again (as a service restarts).</summary>
    private async Task<LocalPostgresCluster> StartWithKeyAsync()
    {
        var first = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
        AuditSigningKey.Load(null, null, first.AuditKeyFile, Development()).Dispose();
        await first.StopAsync();
        return await LocalPostgresCluster.StartAsync(new LocalPostgresOptions(_root));
    }

    private Task<IAlbaHost> StartEmbeddedAsync() => AlbaHost.For<Program>(builder =>
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Ledger:Database:DataDirectory", _root);
        builder.UseSetting("Ledger:Seed:OnFirstStart", "false");
        builder.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.AddTransient<IStartupFilter, LoopbackRemoteAddress>();
        });
    });

    private static async Task AssertRefusesPasswordlessSuperuserAsync(LocalPostgresCluster cluster)
    {
        var passwordless = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = cluster.Port, Username = "postgres", Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(passwordless.ConnectionString);
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        Assert.Contains("password", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] PublicKeyOf(byte[] pkcs8)
    {
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return key.ExportSubjectPublicKeyInfo();
    }

    private static string StripComments(string file) =>
        string.Join('\n', File.ReadLines(file).Select(line => line.Split('#', 2)[0]));

    private static HostingEnvironment Development() => new() { EnvironmentName = Environments.Development };

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void AsPostgres(string executable, params string[] args)
    {
        var (code, output) = Environment.IsPrivilegedProcess
            ? RunAs("postgres", "postgres", executable, args)
            : Run(executable, args);
        Assert.True(code == 0, $"{Path.GetFileName(executable)} failed: {output}");
    }

    private static (int Code, string Output) RunAs(string user, string group, string executable, params string[] args) =>
        Run("setpriv", [$"--reuid={user}", $"--regid={group}", "--clear-groups", executable, .. args]);

    private static (int Code, string Output) Run(string executable, params string[] args)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        // pg_ctl start leaves the postmaster holding these pipes: read them without waiting for their end.
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
