using System.Security.Cryptography;
using AgreementLedger.Audit.Exporting;
using AgreementLedger.IntegrationTests.Infrastructure;

namespace AgreementLedger.IntegrationTests.Audit;

[Collection(AuditDigestCollection.Name)]
public sealed class ExportTests(LedgerHost ledger) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ledger-export-").FullName;

    private async Task<byte[]> PublicKeyAsync()
    {
        var pem = (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString()!;
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.ExportSubjectPublicKeyInfo();
    }

    private async Task<string> ExportAsync(string query = "")
    {
        var id = Given.NewId("export");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", place = "Tokyo, \"HQ\"", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/retractions", new { version = 2, reason = "misreported" }, 200);
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export" + query);
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        return await result.ReadAsTextAsync();
    }

    [Fact]
    public async Task an_ndjson_export_verifies_offline_and_fails_after_a_one_byte_edit()
    {
        var export = await ExportAsync();
        var key = await PublicKeyAsync();

        var good = ExportVerifier.Verify(new StringReader(export), csv: false, key);
        var edited = ExportVerifier.Verify(new StringReader(OneByteEdit(export)), csv: false, key);

        Assert.True(good.Verified, string.Join("\n", good.Failures));
        Assert.True(good.Events >= 3);
        Assert.StartsWith("{\"record\":\"digest\"", export.TrimEnd().Split('\n')[^1]);
        Assert.False(edited.Verified);
    }

    [Fact]
    public async Task a_csv_export_verifies_offline_too()
    {
        var export = await ExportAsync("?format=csv");

        var report = ExportVerifier.Verify(new StringReader(export), csv: true, await PublicKeyAsync());

        Assert.StartsWith("record,position,agreementId,version,type", export);
        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.False(ExportVerifier.Verify(new StringReader(OneByteEdit(export)), csv: true, await PublicKeyAsync()).Verified);
    }

    [Fact]
    public async Task an_export_as_of_before_any_event_holds_only_the_digest_of_nothing()
    {
        await ExportAsync();
        var result = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/audit/export?asOf=2000-01-01");
            s.WithRequestHeader("Authorization", TestTokens.Bearer(TestTokens.Admin));
        });
        var export = await result.ReadAsTextAsync();

        var report = ExportVerifier.Verify(new StringReader(export), csv: false, await PublicKeyAsync());

        Assert.True(report.Verified, string.Join("\n", report.Failures));
        Assert.Equal(0, report.Events);
        Assert.Equal(0, report.Digest!.Position);
    }

    [Fact]
    public async Task an_unknown_format_is_400()
    {
        var answer = await ledger.Host.GetAsync("/audit/export?format=xml", 400);
        Assert.True(answer["errors"].TryGetProperty("format", out _));
    }

    [Fact]
    public async Task the_verify_export_command_checks_a_file_without_a_database()
    {
        var file = Path.Combine(_folder, "ledger.ndjson");
        var pem = Path.Combine(_folder, "key.pem");
        var export = await ExportAsync();
        await File.WriteAllTextAsync(file, export);
        await File.WriteAllTextAsync(pem, (await ledger.Host.GetAsync("/audit/public-key"))["keys"][0].GetProperty("pem").GetString());

        var (good, goodOutput) = await RunVerifyExportAsync(file, pem);
        await File.WriteAllTextAsync(file, OneByteEdit(export));
        var (bad, badOutput) = await RunVerifyExportAsync(file, pem);

        Assert.Equal(0, good);
        Assert.StartsWith("VERIFIED", goodOutput);
        Assert.Equal(1, bad);
        Assert.StartsWith("NOT VERIFIED", badOutput);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Changes one character inside the first signature's place ("Tokyo" becomes "Tokyp").</summary>
    private static string OneByteEdit(string export)
    {
        var at = export.IndexOf("Tokyo", StringComparison.Ordinal);
        Assert.True(at >= 0);
        return string.Concat(export.AsSpan(0, at + 4), "p", export.AsSpan(at + 5));
    }

    private static async Task<(int ExitCode, string Output)> RunVerifyExportAsync(string file, string pem)
    {
        var (exit, output, error) = await ServiceCommand.RunAsync(new Dictionary<string, string>(), "verify-export", file, "--public-key", pem);
        return (exit, output + error);
    }
}
