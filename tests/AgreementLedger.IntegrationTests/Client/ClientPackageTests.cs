using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using AgreementLedger.Client;
using AgreementLedger.IntegrationTests.Conventions;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Client;

/// <summary>The client as a user gets it: a NuGet package, and a webhook verifier that accepts the contract's own example.</summary>
public sealed class ClientPackageTests
{
    [Fact]
    public async Task the_client_packs_as_a_nuget_package_with_its_documentation_and_no_dependencies()
    {
        var output = Directory.CreateTempSubdirectory("agreement-ledger-pack-");
        try
        {
            var pack = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Repository.Root,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "pack", "src/AgreementLedger.Client", "-c", "Release", "-o", output.FullName, "-p:ContinuousIntegrationBuild=true" })
            {
                pack.ArgumentList.Add(argument);
            }

            using var process = Process.Start(pack)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stdout + await stderr);

            var package = Assert.Single(output.GetFiles("AgreementLedger.Client.*.nupkg"));
            using var zip = ZipFile.OpenRead(package.FullName);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/AgreementLedger.Client.dll", entries);
            Assert.Contains("lib/net10.0/AgreementLedger.Client.xml", entries);
            Assert.Contains("README.md", entries);
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var manifest = await nuspec.ReadToEndAsync();
            Assert.Contains("<id>AgreementLedger.Client</id>", manifest);
            Assert.DoesNotContain("<dependency ", manifest);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public void the_webhook_verifier_accepts_the_delivery_that_docs_api_md_shows_and_refuses_it_altered()
    {
        var contract = File.ReadAllText(Path.Combine(Repository.Root, "docs", "api.md"));
        var delivery = Regex.Match(contract, "```http\n(POST /ledger-events HTTP/1.1\n.*?)\n```", RegexOptions.Singleline).Groups[1].Value;
        var header = Regex.Match(delivery, "^Ledger-Signature: (.+)$", RegexOptions.Multiline).Groups[1].Value;
        var body = Encoding.UTF8.GetBytes(delivery[(delivery.IndexOf("\n\n", StringComparison.Ordinal) + 2)..]);
        var secret = Regex.Match(contract, "with the secret `([^`]+)`").Groups[1].Value;
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Regex.Match(header, "t=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(WebhookSignature.IsValid(secret, header, body, TimeSpan.FromMinutes(5), sent.AddMinutes(1)));
        Assert.False(WebhookSignature.IsValid(secret, header, body, TimeSpan.FromMinutes(5), sent.AddMinutes(6)));
        Assert.False(WebhookSignature.IsValid(secret + "x", header, body, TimeSpan.FromMinutes(5), sent));
        Assert.False(WebhookSignature.IsValid(secret, header, [.. body, (byte)' '], TimeSpan.FromMinutes(5), sent));
        Assert.False(WebhookSignature.IsValid(secret, "t=abc,v1=00", body, TimeSpan.FromMinutes(5), sent));
        Assert.False(WebhookSignature.IsValid(secret, null, body, TimeSpan.FromMinutes(5), sent));
    }
}
