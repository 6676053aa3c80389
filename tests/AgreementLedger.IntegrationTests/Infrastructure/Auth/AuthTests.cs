using System.Diagnostics;
using Alba;
using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace AgreementLedger.IntegrationTests.Infrastructure.Auth;

[Collection(ConventionsCollection.Name)]
public sealed class AuthTests(LedgerHost ledger)
{
    private static Action<Scenario> As(string token) => s => s.WithRequestHeader("Authorization", TestTokens.Bearer(token));

    private static Action<Scenario> Anonymous => s => s.RemoveRequestHeader("Authorization");

    [Fact]
    public async Task requests_without_a_valid_token_are_401_before_anything_else_and_append_nothing()
    {
        var before = await ledger.TotalEventsAsync();
        var wrongKey = LedgerAuth.CreateToken(Convert.ToBase64String(new byte[32]), "mallory", [Roles.Admin], TimeSpan.FromHours(1));

        var none = await ledger.Host.PostRawAsync("/agreements", "{\"title\": 5}", 401, Anonymous);
        var forged = await ledger.Host.PostAsync("/agreements", new { title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }, 401, As(wrongKey));
        var read = await ledger.Host.GetAsync("/agreements", 401, token: "not-a-jwt");

        Assert.All([none, forged, read], a => Assert.Equal("/problems/unauthorized", a.ProblemType));
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Theory]
    [InlineData("auditor", "POST", "/agreements", 403)]
    [InlineData("subscriber", "GET", "/agreements", 403)]
    [InlineData("recorder", "GET", "/agreements", 200)]
    [InlineData("auditor", "GET", "/agreements", 200)]
    [InlineData("recorder", "GET", "/audit/verify?agreementId=gcap-treaty", 403)]
    [InlineData("recorder", "GET", "/events", 403)]
    [InlineData("subscriber", "GET", "/events", 200)]
    [InlineData("auditor", "GET", "/events", 200)]
    [InlineData("recorder", "GET", "/subscriptions", 403)]
    [InlineData("admin", "GET", "/subscriptions", 200)]
    public async Task each_role_reaches_exactly_its_routes(string role, string method, string url, int status)
    {
        var token = TestTokens.For($"someone-{role}", role);
        var result = await ledger.Host.Scenario(s =>
        {
            if (method == "POST")
            {
                s.Post.Json(new { title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }).ToUrl(url);
            }
            else
            {
                s.Get.Url(url);
            }

            s.WithRequestHeader("Authorization", TestTokens.Bearer(token));
            s.StatusCodeShouldBe(status);
        });

        if (status == 403)
        {
            Assert.Equal("/problems/forbidden", (await Answer.From(result)).ProblemType);
        }
    }

    [Fact]
    public async Task the_token_subject_is_recorded_as_recorded_by()
    {
        var id = Given.NewId("alice");
        await ledger.Host.PostAsync("/agreements", new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() }, 201,
            As(TestTokens.For("alice", Roles.Recorder)));

        var entry = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][0];

        Assert.Equal("alice", entry.GetProperty("recordedBy").GetString());
    }

    [Fact]
    public async Task idempotency_keys_are_scoped_to_the_principal()
    {
        var id = Given.NewId("scoped");
        await ledger.Host.ProposedAsync(id, "JP");
        var key = Guid.NewGuid().ToString();
        var alice = TestTokens.For("alice", Roles.Recorder);
        var bob = TestTokens.For("bob", Roles.Recorder);
        var body = new { occurredOn = "2024-02-01" };

        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", body, 200, s => { As(alice)(s); s.WithRequestHeader("Idempotency-Key", key); });
        var bobs = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", body, 200, s => { As(bob)(s); s.WithRequestHeader("Idempotency-Key", key); });
        var alicesRetry = await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", body, 200, s => { As(alice)(s); s.WithRequestHeader("Idempotency-Key", key); });

        Assert.False(bobs.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal("true", alicesRetry.Headers["Idempotent-Replayed"]);
        Assert.Equal(3, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task the_token_command_mints_a_token_the_service_accepts()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "AgreementLedger.Api.dll"), "token", "--role", "auditor", "--sub", "carol" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Ledger__Auth__SigningKey"] = TestTokens.Key;
        using var process = Process.Start(start)!;
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        await ledger.Host.GetAsync("/audit/verify?agreementId=Not_A_Slug", 400, token);
        await ledger.Host.GetAsync("/events", 200, token);
    }

    [Fact]
    public void outside_development_the_service_refuses_to_start_without_authentication()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ledger:Auth:SigningKey"] = "" });

        var error = Assert.Throws<StartupException>(() => builder.AddLedgerAuth());

        Assert.Contains("Ledger:Auth:SigningKey", error.Message, StringComparison.Ordinal);
    }
}
