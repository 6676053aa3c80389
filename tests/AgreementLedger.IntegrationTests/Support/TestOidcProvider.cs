using System.Diagnostics;
using System.Text.Json;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// A real OpenID provider, the npm package oidc-provider (pinned in Support/OidcProvider/package-lock.json,
/// installed by ./build.sh, else here, with <c>npm ci</c>), as a node process on a free loopback port: the
/// page's public client with PKCE and refresh tokens, JWT access tokens for <paramref name="audience"/> with a
/// <c>role</c> claim lasting <c>accessTokenLifetime</c>, and its own login and consent forms. Killed on dispose.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public static readonly string Folder = Path.Combine(Repository.Root, "tests", "AgreementLedger.IntegrationTests", "Support", "OidcProvider");

    private readonly Process _process;

    private TestOidcProvider(Process process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    /// <summary>The provider's address, its issuer and the ledger's Ledger:Auth:Authority.</summary>
    public string Issuer { get; }

    /// <summary>A user who may sign in: name, password, display name, roles.</summary>
    public sealed record User(string Password, string Name, string[] Roles);

    public static async Task<TestOidcProvider> StartAsync(string clientId, Uri redirectUri, string audience, TimeSpan accessTokenLifetime, IReadOnlyDictionary<string, User> users)
    {
        await InstallAsync();
        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("provider.mjs");
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["CLIENT_ID"] = clientId;
        start.Environment["REDIRECT_URI"] = redirectUri.ToString();
        start.Environment["AUDIENCE"] = audience;
        start.Environment["ACCESS_TOKEN_TTL"] = ((int)accessTokenLifetime.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["USERS"] = JsonSerializer.Serialize(users.ToDictionary(u => u.Key, u => new { password = u.Value.Password, name = u.Value.Name, roles = u.Value.Roles }));
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("listening ", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(e.Data["listening ".Length..]);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("the OpenID provider exited: " + output));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new TestOidcProvider(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        catch
        {
            await new TestOidcProvider(process, "").DisposeAsync();
            throw;
        }
    }

    /// <summary><c>npm ci</c> when oidc-provider is missing or not the version package-lock.json pins (./build.sh does it first).</summary>
    private static async Task InstallAsync()
    {
        using var lockFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "package-lock.json")));
        var wanted = lockFile.RootElement.GetProperty("packages").GetProperty("node_modules/oidc-provider").GetProperty("version").GetString();
        var installed = Path.Combine(Folder, "node_modules", "oidc-provider", "package.json");
        if (File.Exists(installed))
        {
            using var package = JsonDocument.Parse(await File.ReadAllTextAsync(installed));
            if (package.RootElement.GetProperty("version").GetString() == wanted)
            {
                return;
            }
        }

        var start = new ProcessStartInfo("npm") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            start.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(start)!;
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.StandardOutput.ReadToEndAsync();
        await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(npm.ExitCode == 0, $"npm ci in {Folder} failed ({npm.ExitCode}): {await errors}");
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
