using Alba;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Infrastructure;

[Collection(ConventionsCollection.Name)]
public sealed class OperationsTests(LedgerHost ledger)
{
    [Fact]
    public async Task liveness_answers_healthy() => Assert.Equal("Healthy", (await ledger.Host.GetAsync("/health/live")).Text);

    [Fact]
    public async Task anonymous_readiness_says_healthy_and_nothing_else()
    {
        var ready = await AnonymousAsync("/health/ready");

        Assert.Equal(200, ready.Status);
        Assert.Equal("""{"status":"Healthy"}""", ready.Text);
    }

    [Fact]
    public async Task readiness_details_are_for_admin_only()
    {
        Assert.Equal(401, (await AnonymousAsync("/health/details")).Status);
        await ledger.Host.GetAsync("/health/details", 403, TestTokens.For("test-auditor", AgreementLedger.Infrastructure.Auth.Roles.Auditor));
        Assert.Equal("Healthy", (await ledger.Host.GetAsync("/health/details"))["status"].GetString());
    }

    [Fact]
    public async Task a_hammer_of_anonymous_readiness_probes_costs_the_database_at_most_one_query_a_second()
    {
        await ledger.ExecuteAsync("create extension if not exists pg_stat_statements");
        const string Calls = "select coalesce(sum(calls), 0)::bigint from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database()";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var before = await ledger.ScalarAsync<long>(Calls);
        var probes = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(2))
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => AnonymousAsync("/health/ready")));
            Assert.All(answers, a => Assert.Equal(200, a.Status));
            probes += answers.Length;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var probeQueries = await ledger.ScalarAsync<long>(
            "select coalesce(sum(calls), 0)::bigint from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database() and query like '%ledger_readiness_probe%'");
        var all = await ledger.ScalarAsync<long>(Calls) - before;

        Assert.True(probes >= 100, $"only {probes} probes were sent");
        Assert.InRange(probeQueries, 1, (long)Math.Ceiling(seconds) + 1);
        // Everything the node ran meanwhile (its background work included) is far below one query per probe.
        Assert.True(all < probes / 4, $"{all} statements ran for {probes} probes in {seconds:F1} s");
    }

    [Fact]
    public async Task readiness_details_check_postgresql_and_report_how_far_the_feed_lags()
    {
        await ledger.Host.ProposedAsync(Given.NewId("ready"), "JP");

        var ready = await ledger.Host.GetAsync("/health/details");

        Assert.Equal("Healthy", ready["status"].GetString());
        Assert.Equal("Healthy", ready["checks"].GetProperty("postgresql").GetProperty("status").GetString());
        var feed = ready["checks"].GetProperty("event-feed").GetProperty("data");
        // No transaction is writing events now: the feed is served up to the newest position.
        var safe = feed.GetProperty("safePosition").GetInt64();
        Assert.True(safe >= 1);
        Assert.Equal(feed.GetProperty("newestPosition").GetInt64(), safe);
        Assert.Equal(0, feed.GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task readiness_answers_at_once_while_a_long_transaction_writes_events()
    {
        await ledger.Host.ProposedAsync(Given.NewId("ready"), "JP");
        await using var holder = new Npgsql.NpgsqlConnection(ledger.ConnectionString);
        await holder.OpenAsync();
        await using var writing = await holder.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand("lock table ledger.mt_events in row exclusive mode", holder, writing))
        {
            await take.ExecuteNonQueryAsync();
        }

        // A large import holds the event table's write lock for as long as it runs; a probe must not wait for it.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var anonymous = await AnonymousAsync("/health/ready");
        var during = await ledger.Host.GetAsync("/health/details");
        var answeredIn = watch.Elapsed;
        await writing.RollbackAsync();
        var after = await ledger.Host.GetAsync("/health/details");

        Assert.True(answeredIn < TimeSpan.FromSeconds(1.5), $"readiness took {answeredIn} while a transaction held the write lock");
        Assert.Equal(200, anonymous.Status);
        Assert.Equal("Healthy", during["status"].GetString());
        Assert.True(during["checks"].GetProperty("event-feed").GetProperty("data").GetProperty("waitingForWriters").GetBoolean());
        Assert.False(after["checks"].GetProperty("event-feed").GetProperty("data").GetProperty("waitingForWriters").GetBoolean());
    }

    private async Task<Answer> AnonymousAsync(string url) =>
        await Answer.From(await ledger.Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.IgnoreStatusCode();
        }));

    [Fact]
    public async Task metrics_are_served_for_prometheus_including_appended_events()
    {
        var id = Given.NewId("metrics");
        await ledger.Host.ProposedAsync(id, "JP");

        var metrics = await ledger.Host.Scenario(s => s.Get.Url("/metrics"));
        var text = await metrics.ReadAsTextAsync();

        Assert.StartsWith("text/plain", metrics.Context.Response.ContentType);
        Assert.Contains("ledger_events_appended_total{", text, StringComparison.Ordinal);
        Assert.Contains("type=\"agreement_proposed\"", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("ledger_command_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("route=\"/agreements\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_openapi_document_describes_every_route()
    {
        var answer = await ledger.Host.GetAsync("/openapi/v1.json");

        var paths = answer["paths"].EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "/agreements", "/agreements/{id}", "/agreements/{id}/timeline",
            "/agreements/{id}/negotiation-rounds", "/agreements/{id}/signatures", "/agreements/{id}/terms-agreed",
            "/agreements/{id}/parties", "/agreements/{id}/deliverables", "/agreements/{id}/funding", "/agreements/{id}/deliveries",
            "/agreements/{id}/targets", "/agreements/{id}/sources", "/agreements/{id}/amendments",
            "/agreements/{id}/suspension", "/agreements/{id}/resumption", "/agreements/{id}/termination", "/agreements/{id}/withdrawal",
            "/parties/{party}/agreements",
        }, paths);
    }

    [Fact]
    public async Task the_web_page_is_served_at_the_root_to_anyone_with_a_strict_content_security_policy()
    {
        var page = await ledger.Host.Scenario(s => s.Get.Url("/"));
        var script = await ledger.Host.Scenario(s => s.Get.Url("/app.js"));
        var module = await ledger.Host.Scenario(s => s.Get.Url("/live.js"));

        Assert.StartsWith("text/html", page.Context.Response.ContentType);
        Assert.Contains("<script type=\"module\" src=\"/app.js\"></script>", await page.ReadAsTextAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Context.Response.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Context.Response.Headers.XContentTypeOptions.ToString());
        Assert.Contains("javascript", script.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("from \"./live.js\"", await script.ReadAsTextAsync(), StringComparison.Ordinal);
        Assert.Contains("javascript", module.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("/events/stream", await module.ReadAsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_api_reference_is_served_at_scalar()
    {
        var redirect = await ledger.Host.Scenario(s =>
        {
            s.Get.Url("/scalar");
            s.StatusCodeShouldBe(302);
        });
        Assert.Equal("scalar/", redirect.Context.Response.Headers.Location.ToString());

        var page = await ledger.Host.Scenario(s => s.Get.Url("/scalar/"));
        Assert.Contains("<html", await page.ReadAsTextAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
