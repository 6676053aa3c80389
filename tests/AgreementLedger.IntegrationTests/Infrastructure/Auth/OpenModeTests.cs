using Alba;
using AgreementLedger.Infrastructure.Auth;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Infrastructure.Auth;

/// <summary>
/// Development without authentication serves the local admin only to requests straight from a loopback address
/// (docs/api.md, Access). The in-memory requests here come from 127.0.0.1 unless X-Test-Remote-Address says otherwise.
/// </summary>
[Collection(OpenModeCollection.Name)]
public sealed class OpenModeTests(OpenModeLedgerHost ledger)
{
    private static object Proposal(string id) => new { id, title = "T", kind = "treaty", parties = new[] { "JP" }, areas = Array.Empty<string>() };

    [Theory]
    [InlineData(null)]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task a_request_from_a_loopback_address_runs_as_the_local_admin(string? remote)
    {
        var id = Given.NewId("open");

        await ledger.Host.PostAsync("/agreements", Proposal(id), 201, s =>
        {
            s.RemoveRequestHeader("Authorization");
            if (remote is not null)
            {
                s.WithRequestHeader(LoopbackRemoteAddress.Header, remote);
            }
        });

        var entry = (await ledger.Host.GetAsync($"/agreements/{id}/timeline"))["entries"][0];
        Assert.Equal("local", entry.GetProperty("recordedBy").GetString());
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    public async Task a_loopback_request_with_a_forwarding_header_is_401_and_appends_nothing(string header, string value)
    {
        var before = await ledger.TotalEventsAsync();

        var answer = await ledger.Host.PostAsync("/agreements", Proposal(Given.NewId("proxied")), 401, s =>
        {
            s.RemoveRequestHeader("Authorization");
            s.WithRequestHeader(header, value);
        });
        var read = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/subscriptions");
            s.WithRequestHeader(header, value);
            s.StatusCodeShouldBe(401);
        });

        Assert.Equal("/problems/unauthorized", answer.ProblemType);
        Assert.Equal("/problems/unauthorized", (await Answer.From(read)).ProblemType);
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Theory]
    [InlineData("192.0.2.10")]
    [InlineData("10.0.0.5")]
    [InlineData("::ffff:192.0.2.10")]
    [InlineData("2001:db8::1")]
    [InlineData("none")]
    public async Task a_request_from_any_other_address_or_none_is_401_and_appends_nothing(string remote)
    {
        var before = await ledger.TotalEventsAsync();

        var answer = await ledger.Host.PostAsync("/agreements", Proposal(Given.NewId("remote")), 401, s =>
        {
            s.RemoveRequestHeader("Authorization");
            s.WithRequestHeader(LoopbackRemoteAddress.Header, remote);
        });

        Assert.Equal("/problems/unauthorized", answer.ProblemType);
        Assert.Equal(before, await ledger.TotalEventsAsync());
    }

    [Theory]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://LOCALHOST:5080", true)]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.0.0.2:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("https://[::ffff:127.0.0.1]:5443", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://192.168.1.20:8080", false)]
    [InlineData("http://ledger.example.org:8080", false)]
    [InlineData("http://localhost.example.org:8080", false)]
    [InlineData("http://unix:/tmp/ledger.sock", false)]
    public void only_localhost_and_loopback_addresses_count_as_loopback(string address, bool loopback) =>
        Assert.Equal(loopback, LocalOpenMode.IsLoopbackAddress(address));
}
