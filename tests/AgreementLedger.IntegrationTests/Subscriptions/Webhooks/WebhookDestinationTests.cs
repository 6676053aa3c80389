using AgreementLedger.IntegrationTests.Support;
using AgreementLedger.Subscriptions.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Subscriptions.Webhooks;

/// <summary>Webhooks may not reach the service's own network: refused at registration, and again at every connection.</summary>
[Collection(GuardedWebhookCollection.Name)]
public sealed class WebhookDestinationTests(GuardedWebhookLedgerHost ledger)
{
    private const string Secret = "a-webhook-secret-of-some-length";

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://127.10.20.30:8080/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://2130706433/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://0.1.2.3/hook")]
    [InlineData("http://[::]/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://172.31.255.255/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("http://[fc00::1]/hook")]
    [InlineData("http://[fd12:3456::1]/hook")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://100.127.255.254/hook")]
    [InlineData("http://224.0.0.1/hook")]
    [InlineData("http://239.255.255.250/hook")]
    [InlineData("http://[ff02::1]/hook")]
    [InlineData("http://255.255.255.255/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[::ffff:10.1.2.3]/hook")]
    [InlineData("http://[::ffff:169.254.169.254]/hook")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/hook")]
    [InlineData("http://[64:ff9b::7f00:1]/hook")]
    public async Task refuses_a_url_into_the_services_own_network_with_400(string url)
    {
        var answer = await ledger.Host.PostAsync("/subscriptions", new { url, secret = Secret }, 400);

        var error = Assert.Single(answer["errors"].GetProperty("url").EnumerateArray()).GetString()!;
        Assert.StartsWith("must not reach the service's own network", error, StringComparison.Ordinal);
        Assert.Equal(0, await ledger.ScalarAsync<long>("select count(*) from ledger.webhook_subscriptions where url = $1", url));
    }

    [Theory]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("http://172.32.0.1/hook")]
    [InlineData("http://100.128.0.1/hook")]
    [InlineData("http://192.169.0.1/hook")]
    [InlineData("http://[2001:4860:4860::8888]/hook")]
    [InlineData("http://[::ffff:8.8.8.8]/hook")]
    [InlineData("https://not-registered-yet.invalid/hook")]
    public async Task accepts_public_addresses_and_hosts_that_do_not_resolve_yet(string url)
    {
        var answer = await ledger.Host.PostAsync("/subscriptions", new { url, secret = Secret, types = new[] { "agreement_withdrawn" } }, 201);

        await ledger.Host.DeleteSubscriptionAsync(answer["id"].GetString()!);
    }

    [Theory]
    [InlineData("localhost", "loopback")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("[::ffff:127.0.0.1]", "loopback")]
    public async Task a_host_that_points_inside_when_dialled_is_refused_and_the_receiver_sees_nothing(string host, string kind)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // As if registered while the name pointed elsewhere (DNS rebinding): stored past the registration check.
        var store = ledger.Host.Services.GetRequiredService<WebhookStore>();
        var position = await ledger.ScalarAsync<long>("select coalesce(max(seq_id), 0) from ledger.mt_events");
        var subscription = await store.AddAsync($"http://{host}:{receiver.Port}/hook", null, Secret, position, DateTimeOffset.UtcNow, _ => null, CancellationToken.None);
        await ledger.Host.ProposedAsync(Given.NewId("rebind"), "JP");

        var status = await ledger.Host.WaitAsync(subscription.Id, s => s.Failures() >= 2);

        Assert.True(status.Failures() >= 2, status.Text);
        Assert.Equal($"refused: a {kind} address, which webhooks may not reach", status.LastError());
        Assert.Null(status.LastStatus());
        Assert.Empty(receiver.Requests);
        await ledger.Host.DeleteSubscriptionAsync(subscription.Id);
    }
}
