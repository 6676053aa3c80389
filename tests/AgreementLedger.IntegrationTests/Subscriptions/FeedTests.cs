using System.Collections.Concurrent;
using System.Text.Json;
using Alba;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Subscriptions;

[Collection(FeedCollection.Name)]
public sealed class FeedTests(LedgerHost ledger)
{
    private async Task<long> HeadAsync()
    {
        long next = 0;
        while (true)
        {
            var page = await ledger.Host.GetAsync($"/events?after={next}&limit=1000");
            var moved = page["next"].GetInt64();
            if (moved == next)
            {
                return next;
            }

            next = moved;
        }
    }

    private async Task<Answer> EventuallyAsync(string url, Func<Answer, bool> done)
    {
        for (var attempt = 0; ; attempt++)
        {
            var page = await ledger.Host.GetAsync(url);
            if (done(page) || attempt == 100)
            {
                return page;
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task serves_events_after_a_position_in_order_with_next()
    {
        var head = await HeadAsync();
        var id = Given.NewId("feed");
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/negotiation-rounds", new { occurredOn = "2024-01-20" }, 200);

        // The feed serves events once they are safe, which may be a moment after the commands answered.
        var page = await EventuallyAsync($"/events?after={head}", p => p["events"].GetArrayLength() >= 3);
        var events = page["events"].EnumerateArray().ToArray();

        Assert.Equal(["agreement_proposed", "party_signed", "negotiation_round_held"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(id, e.GetProperty("agreementId").GetString()));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal(events[^1].GetProperty("position").GetInt64(), page["next"].GetInt64());
        Assert.True(events.Select(e => e.GetProperty("position").GetInt64()).SequenceEqual(events.Select(e => e.GetProperty("position").GetInt64()).Order()));
        Assert.Equal("2024-02-01", events[1].GetProperty("occurredOn").GetString());
        Assert.Matches("^[0-9a-f]{64}$", events[1].GetProperty("hash").GetString()!);

        var nothingNew = await ledger.Host.GetAsync($"/events?after={page["next"].GetInt64()}");
        Assert.Empty(nothingNew["events"].EnumerateArray());
        Assert.Equal(page["next"].GetInt64(), nothingNew["next"].GetInt64());

        var firstOnly = await ledger.Host.GetAsync($"/events?after={head}&limit=1");
        Assert.Equal(events[0].GetProperty("position").GetInt64(), firstOnly["next"].GetInt64());
    }

    [Fact]
    public async Task a_type_filter_still_advances_next_past_what_it_filtered_out()
    {
        var head = await HeadAsync();
        var id = Given.NewId("feedtypes");
        await ledger.Host.ProposedAsync(id, "JP");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "Nikkei" }, 200);

        var newest = await EventuallyAsync($"/events?after={head}", p => p["events"].GetArrayLength() >= 3);
        var lastPosition = newest["events"].EnumerateArray().Last().GetProperty("position").GetInt64();

        var page = await ledger.Host.GetAsync($"/events?after={head}&types=party_signed");

        var only = Assert.Single(page["events"].EnumerateArray());
        Assert.Equal("party_signed", only.GetProperty("type").GetString());
        Assert.True(page["next"].GetInt64() >= lastPosition);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("after=-1")]
    [InlineData("types=party_signed,nonsense")]
    public async Task rejects_bad_feed_parameters_with_400(string query) =>
        Assert.Equal("/problems/validation", (await ledger.Host.GetAsync($"/events?{query}", 400)).ProblemType);

    [Fact]
    public async Task a_consumer_following_next_sees_every_acknowledged_event_once_in_order_under_16_concurrent_writers()
    {
        var head = await HeadAsync();
        var acknowledged = new ConcurrentBag<(string, long)>();
        using var writing = new CancellationTokenSource();
        var seen = new List<(string Id, long Version, long Position)>();

        var consumer = Task.Run(async () =>
        {
            // Follows next until it has seen every acknowledged event (or gives up after 30 s).
            var next = head;
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            while (DateTimeOffset.UtcNow < deadline
                && !(writing.IsCancellationRequested && seen.Count(s => s.Id.StartsWith("writer", StringComparison.Ordinal)) >= acknowledged.Count))
            {
                var page = await ledger.Host.GetAsync($"/events?after={next}&limit=50");
                foreach (var e in page["events"].EnumerateArray())
                {
                    seen.Add((e.GetProperty("agreementId").GetString()!, e.GetProperty("version").GetInt64(), e.GetProperty("position").GetInt64()));
                }

                next = page["next"].GetInt64();
                await Task.Delay(10);
            }
        });

        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var id = Given.NewId($"writer{w}");
            var proposal = await ledger.Host.ProposedAsync(id, "JP", "GB");
            acknowledged.Add((id, proposal["version"].GetInt64()));
            for (var i = 0; i < 8; i++)
            {
                var answer = await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = $"P{i}", occurredOn = "2024-02-01" }, 200);
                acknowledged.Add((id, answer["version"].GetInt64()));
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await writing.CancelAsync();
        await consumer;

        var ours = seen.Where(s => s.Id.StartsWith("writer", StringComparison.Ordinal)).ToList();
        Assert.Equal(16 * 9, acknowledged.Count);
        Assert.Equal(acknowledged.Order(), ours.Select(s => (s.Id, s.Version)).Order());
        Assert.Equal(seen.Count, seen.Select(s => s.Position).Distinct().Count());
        Assert.Equal(seen.Select(s => s.Position).Order(), seen.Select(s => s.Position));
    }

    /// <summary>
    /// The safe position relies on positions being handed out in the order they are drawn: a
    /// sequence cache would let a session hand out a lower position after a higher one committed.
    /// </summary>
    [Fact]
    public async Task the_event_sequence_hands_out_positions_without_a_per_session_cache() =>
        Assert.Equal(1L, await ledger.ScalarAsync<long>(
            "select cache_size from pg_sequences where schemaname = 'ledger' and sequencename = 'mt_events_sequence'"));

    /// <summary>
    /// The ledger's append function draws an event's position and inserts its row before the transaction
    /// commits. A writer the scheduler pauses in between holds a position below that of a later writer who
    /// commits first. The function is made to sleep there, so the pause is certain: neither the feed nor
    /// a signed digest may move past the paused position.
    /// </summary>
    [Fact]
    public async Task a_writer_paused_between_drawing_its_position_and_inserting_is_never_overtaken_by_the_feed_or_a_digest()
    {
        var paused = Given.NewId("paused");
        var later = Given.NewId("later");
        await ledger.Host.ProposedAsync(paused, "JP");
        var head = await HeadAsync();
        const string Function = "select pg_get_functiondef(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace " +
            $"where n.nspname = 'ledger' and p.proname = '{AgreementLedger.Ledger.AppendFunction.Name}'";
        var original = await ledger.ScalarAsync<string>(Function);
        const string Drawn = "end loop;";
        Assert.Contains("nextval('ledger.mt_events_sequence')", original, StringComparison.Ordinal);
        Assert.Contains(Drawn, original, StringComparison.Ordinal);
        await ledger.ExecuteAsync(original.Replace(Drawn, $"if stream = '{paused}' then perform pg_sleep(2); end if; " + Drawn, StringComparison.Ordinal));
        try
        {
            // An append to an existing agreement goes through the function and sleeps with its position drawn.
            var appending = ledger.Host.PostAsync($"/agreements/{paused}/sources", new { publisher = "Kyodo", occurredOn = "2024-02-01" }, 200);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await ledger.ScalarAsync<long>("select count(*) from pg_stat_activity where wait_event = 'PgSleep'") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the append never reached the pause");
                await Task.Delay(20);
            }

            // A proposal inserts its row in the statement that draws its position: it commits at once, above the paused one.
            await ledger.Host.ProposedAsync(later, "KR");
            var digest = ledger.Host.GetAsync("/audit/digest");
            // The consumer follows next until it has the later proposal (the paused proposal may come first).
            var seen = new List<(string Id, long Version, long Position)>();
            var next = head;
            var patience = DateTime.UtcNow.AddSeconds(20);
            while (!seen.Any(s => s.Id == later) && DateTime.UtcNow < patience)
            {
                var page = await ledger.Host.GetAsync($"/events?after={next}");
                seen.AddRange(page["events"].EnumerateArray().Select(e =>
                    (e.GetProperty("agreementId").GetString()!, e.GetProperty("version").GetInt64(), e.GetProperty("position").GetInt64())));
                next = page["next"].GetInt64();
                await Task.Delay(20);
            }

            await appending;
            var taken = await digest;

            Assert.Equal([(paused, 2L), (later, 1L)], seen.Where(s => (s.Id, s.Version) != (paused, 1)).Select(s => (s.Id, s.Version)));
            Assert.Equal(seen.Select(s => s.Position).Order(), seen.Select(s => s.Position));
            var again = await ledger.Host.GetAsync($"/audit/digest?position={taken["position"].GetInt64()}");
            Assert.Equal(taken["digest"].GetString(), again["digest"].GetString());
            Assert.True((await ledger.Host.GetAsync("/audit/verify"))["verified"].GetBoolean());
        }
        finally
        {
            await ledger.ExecuteAsync(original);
        }
    }

    /// <summary>
    /// Finding the safe position takes no lock writers queue behind: neither a long-running writer
    /// (a large import) nor a maintenance lock on the event table (autovacuum's SHARE UPDATE
    /// EXCLUSIVE, never released early when it is an anti-wraparound vacuum) holds up commands
    /// while consumers read the feed; the maintenance lock does not hold up the feed either.
    /// </summary>
    [Theory]
    [InlineData("row exclusive")]
    [InlineData("share update exclusive")]
    public async Task feed_readers_never_make_writers_wait_behind_a_long_lock_on_the_event_table(string mode)
    {
        var id = Given.NewId("unhindered");
        await ledger.Host.ProposedAsync(id, "JP");
        var head = await HeadAsync();
        await using var holder = new Npgsql.NpgsqlConnection(ledger.ConnectionString);
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"lock table ledger.mt_events in {mode} mode", holder, holding))
        {
            await take.ExecuteNonQueryAsync();
        }

        // Consumers keep asking while the lock is held.
        using var reading = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!reading.IsCancellationRequested)
            {
                await ledger.Host.GetAsync($"/events?after={head}");
            }
        })).ToArray();
        await Task.Delay(300);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await ledger.Host.PostAsync($"/agreements/{id}/sources", new { publisher = "NHK", occurredOn = "2024-02-01" }, 200);
        var commanded = watch.Elapsed;

        if (mode == "share update exclusive")
        {
            // Maintenance does not write events: the feed moves on while it runs.
            var served = await EventuallyAsync($"/events?after={head}", p => p["events"].EnumerateArray().Any(e => e.GetProperty("version").GetInt64() == 2));
            Assert.Contains(served["events"].EnumerateArray(), e => e.GetProperty("agreementId").GetString() == id && e.GetProperty("version").GetInt64() == 2);
        }

        await holding.RollbackAsync();
        await reading.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(commanded < TimeSpan.FromSeconds(2), $"a command took {commanded} while feed readers waited on a {mode} lock");
        var after = await EventuallyAsync($"/events?after={head}", p => p["events"].GetArrayLength() > 0);
        Assert.Equal((id, 2L), after["events"].EnumerateArray().Select(e => (e.GetProperty("agreementId").GetString(), e.GetProperty("version").GetInt64())).Last());
    }

    [Fact]
    public async Task the_event_stream_starts_at_once_and_resumes_after_last_event_id_without_loss_or_repeat()
    {
        using var client = ledger.Host.Server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var id = Given.NewId("sse");

        var first = await OpenAsync(client, null, timeout.Token);
        Assert.StartsWith(":", await first.Lines.ReadLineAsync(timeout.Token));
        await ledger.Host.ProposedAsync(id, "JP", "GB");
        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "JP", occurredOn = "2024-02-01" }, 200);
        var received = await ReadEventsAsync(first.Lines, id, 2, timeout.Token);
        first.Response.Dispose();

        await ledger.Host.PostAsync($"/agreements/{id}/signatures", new { party = "GB", occurredOn = "2024-02-02" }, 200);
        var resumed = await OpenAsync(client, received[0].Id, timeout.Token);
        var rest = await ReadEventsAsync(resumed.Lines, id, 2, timeout.Token);
        resumed.Response.Dispose();

        Assert.Equal(["agreement_proposed", "party_signed"], received.Select(r => r.Type));
        Assert.Equal([2L, 3L], rest.Select(r => r.Version));
        Assert.Equal(received[1].Id, rest[0].Id);
    }

    private static async Task<(HttpResponseMessage Response, StreamReader Lines)> OpenAsync(HttpClient client, string? lastEventId, CancellationToken ct)
    {
        var response = await client.OpenStreamAsync(TestTokens.Admin, ct, lastEventId);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync(ct)));
    }

    /// <summary>Reads SSE messages until <paramref name="count"/> events of the agreement have arrived.</summary>
    private static async Task<List<(string Id, string Type, long Version)>> ReadEventsAsync(StreamReader lines, string agreementId, int count, CancellationToken ct)
    {
        var events = new List<(string, string, long)>();
        string? id = null, type = null;
        while (events.Count < count && await lines.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var data = JsonDocument.Parse(line[6..]);
                if (data.RootElement.GetProperty("agreementId").GetString() == agreementId)
                {
                    events.Add((id!, type!, data.RootElement.GetProperty("version").GetInt64()));
                }
            }
        }

        return events;
    }
}
