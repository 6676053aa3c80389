using System.Net;
using AgreementLedger.Client;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Client;

/// <summary>The typed client against the real service: every command, typed problems, If-Match, Idempotency-Key, queries, audit and the feed.</summary>
[Collection(CommandsCollection.Name)]
public sealed class LedgerClientTests(LedgerHost ledger)
{
    private static readonly DateOnly Day = new(2024, 1, 10);

    private LedgerClient Client(LedgerClientOptions? options = null, DelegatingHandler? transport = null, string? token = null)
    {
        HttpMessageHandler handler = ledger.Host.Server.CreateHandler();
        if (transport is not null)
        {
            transport.InnerHandler = handler;
            handler = transport;
        }

        var http = new HttpClient(handler) { BaseAddress = ledger.Host.Server.BaseAddress };
        var withToken = new LedgerClientOptions
        {
            AccessToken = _ => ValueTask.FromResult<string?>(token ?? TestTokens.Admin),
            MaxRetries = options?.MaxRetries ?? 4,
            GenerateIdempotencyKeys = options?.GenerateIdempotencyKeys ?? true,
            OnRetry = options?.OnRetry,
        };
        return new LedgerClient(http, withToken);
    }

    private static Proposal Proposal(string id, params string[] parties) =>
        new("Client test agreement", AgreementKinds.Programme, parties, ["defence-industry"], id, "A made-up programme.", Day,
            [new Source("Nikkei", PublishedOn: new DateOnly(2024, 6, 23))]);

    [Fact]
    public async Task every_command_records_its_event_and_answers_the_state_with_its_version()
    {
        var client = Client();
        var id = Given.NewId("client");

        var proposed = await client.ProposeAsync(Proposal(id, "EU", "JP"));
        await client.HoldNegotiationRoundAsync(id, new NegotiationRound(Day.AddDays(1), "Brussels", ["EU", "JP"], "First round."));
        await client.PlanDeliverableAsync(id, new DeliverablePlan("radar", "Radar", new DateOnly(2030, 1, 1), Day.AddDays(2)));
        await client.SetTargetAsync(id, new Target(AgreementStatuses.Signed, new DateOnly(2024, 12, 31), "Signature by year end", Day.AddDays(2)));
        await client.CiteSourceAsync(id, new Citation("Reuters", "https://www.reuters.com/", new DateOnly(2024, 6, 23), "Report", Day.AddDays(2)));
        await client.AgreeTermsAsync(id, new TermsAgreement(Day.AddDays(3), "Text agreed."));
        await client.SignAsync(id, new Signature("EU", Day.AddDays(4), "A. Official", "Brussels"));
        await client.JoinAsync(id, new Accession("KR", Day.AddDays(4)));
        await client.SignAsync(id, new Signature("JP", Day.AddDays(5)));
        var signed = await client.SignAsync(id, new Signature("KR", Day.AddDays(5)));
        var funded = await client.CommitFundingAsync(id, new FundingCommitment("EU", 1_000_000.25m, "EUR", "design", Day.AddDays(6)));
        await client.AmendAsync(id, new Amendment("Scope widened.", Day.AddDays(7)));
        var delivered = await client.RecordDeliveryAsync(id, new Delivery("radar", Day.AddDays(8), "prototype"));
        var suspended = await client.SuspendAsync(id, new StandingChange("Review.", Day.AddDays(9)));
        var resumed = await client.ResumeAsync(id, new StandingChange("Review done.", Day.AddDays(10)));
        var retracted = await client.RetractAsync(id, new Retraction(12, "Amendment recorded by mistake."));
        var corrected = await client.CorrectAsync(id, Correction.Replacing(14, "The suspension's reason was misreported.", "agreement_suspended", new StandingChange("Review of the delivery.", Day.AddDays(9))));
        var terminated = await client.TerminateAsync(id, new StandingChange("Programme ended.", Day.AddDays(11)));

        Assert.Equal((1L, $"/agreements/{id}", false), (proposed.Version!.Value, proposed.Location!, proposed.Replayed));
        Assert.Equal(AgreementStatuses.Proposed, proposed.Value.Status);
        Assert.Equal((AgreementStatuses.Signed, 10L), (signed.Value.Status, signed.Version!.Value));
        Assert.Equal(["EU", "JP", "KR"], signed.Value.Signatories.Select(s => s.Party));
        Assert.Equal(1_000_000.25m, funded.Value.Funding["EUR"]);
        Assert.Equal((AgreementStatuses.Delivered, new DateOnly(2024, 1, 18)), (delivered.Value.Status, delivered.Value.Deliverables.Single().DeliveredOn!.Value));
        Assert.Equal(AgreementStatuses.Suspended, suspended.Value.Status);
        Assert.Equal(AgreementStatuses.Delivered, resumed.Value.Status);
        Assert.Empty(retracted.Value.Amendments!);
        Assert.Equal((AgreementStatuses.Delivered, 18L), (corrected.Value.Status, corrected.Version!.Value));
        var timeline = await client.ReadTimelineAsync(id).ToListAsync();
        Assert.Equal(18L, timeline.Single(e => e.Version == 14).CorrectedBy);
        Assert.Equal(14L, timeline.Single(e => e.Version == 18).Data.GetProperty("corrects").GetInt64());
        Assert.Equal("Review of the delivery.", timeline.Single(e => e.Version == 18).Data.GetProperty("reason").GetString());
        Assert.Equal((AgreementStatuses.Terminated, 19L), (terminated.Value.Status, terminated.Version!.Value));
        Assert.Equal(19, await ledger.EventCountAsync(id));

        var withdrawnId = Given.NewId("client-w");
        await client.ProposeAsync(Proposal(withdrawnId, "EU"));
        var withdrawn = await client.WithdrawAsync(withdrawnId, new StandingChange("Talks abandoned.", Day));
        Assert.Equal(AgreementStatuses.Withdrawn, withdrawn.Value.Status);
    }

    [Fact]
    public async Task refusals_are_typed_problems_and_append_nothing()
    {
        var client = Client();
        var id = Given.NewId("client-p");
        await client.ProposeAsync(Proposal(id, "EU", "JP"));

        var invalid = await Assert.ThrowsAsync<LedgerValidationException>(() => client.SignAsync(id, new Signature("jp")));
        var missing = await Assert.ThrowsAsync<LedgerNotFoundException>(() => client.SignAsync(Given.NewId("nobody"), new Signature("JP")));
        var exists = await Assert.ThrowsAsync<LedgerConflictException>(() => client.ProposeAsync(Proposal(id, "EU")));
        var stale = await Assert.ThrowsAsync<LedgerVersionMismatchException>(() =>
            client.CiteSourceAsync(id, new Citation("Reuters"), new CommandOptions(ExpectedVersion: 7)));
        var early = await Assert.ThrowsAsync<LedgerConflictException>(() => client.RecordDeliveryAsync(id, new Delivery("nothing-planned")));
        var forbidden = await Assert.ThrowsAsync<LedgerProblemException>(() =>
            Client(token: TestTokens.For("auditor-1", "auditor")).CiteSourceAsync(id, new Citation("Reuters")));

        Assert.Equal(ProblemCodes.Validation, invalid.Problem.Code);
        Assert.Contains("party", invalid.Errors.Keys);
        Assert.Contains("party:", invalid.Message);
        Assert.Equal(ProblemCodes.NotFound, missing.Problem.Code);
        Assert.Equal(ProblemCodes.AlreadyExists, exists.Problem.Code);
        Assert.Equal((ProblemCodes.VersionMismatch, 1L), (stale.Problem.Code, stale.CurrentVersion!.Value));
        Assert.Equal(ProblemCodes.LifecycleConflict, early.Problem.Code);
        Assert.Equal(("stage-not-allowed", "Proposed", 1L), (early.Conflict?.Rule, early.Conflict?.Status, early.Conflict?.ConflictsWith?.Version));
        Assert.Equal(["Signed", "Funded"], early.Conflict!.AllowedStatuses!);
        Assert.Null(exists.Conflict);
        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.Forbidden), (forbidden.StatusCode, forbidden.Problem.Code));
        Assert.NotNull(invalid.Problem.TraceId);
        Assert.Equal(1, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task if_match_and_idempotency_keys_go_through_and_a_retry_replays_the_first_answer()
    {
        var client = Client();
        var id = Given.NewId("client-k");
        var onlyIfNew = await client.ProposeAsync(Proposal(id, "EU"), new CommandOptions(ExpectedVersion: 0));
        var matched = await client.CiteSourceAsync(id, new Citation("Reuters"), new CommandOptions(ExpectedVersion: 1, IdempotencyKey: "cite-" + id));
        var again = await client.CiteSourceAsync(id, new Citation("Reuters"), new CommandOptions(ExpectedVersion: 1, IdempotencyKey: "cite-" + id));
        var any = await client.AmendAsync(id, new Amendment("Text."), new CommandOptions(MustExist: true));
        var reused = await Assert.ThrowsAsync<LedgerProblemException>(() =>
            client.CiteSourceAsync(id, new Citation("Nikkei"), new CommandOptions(IdempotencyKey: "cite-" + id)));
        var notYet = await Assert.ThrowsAsync<LedgerVersionMismatchException>(() =>
            client.ProposeAsync(Proposal(Given.NewId("client-any"), "EU"), new CommandOptions(MustExist: true)));

        Assert.Equal(1, onlyIfNew.Version);
        Assert.Equal((2L, false, "cite-" + id), (matched.Version!.Value, matched.Replayed, matched.IdempotencyKey!));
        Assert.Equal((2L, true), (again.Version!.Value, again.Replayed));
        Assert.Equal(3, any.Version);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ProblemCodes.IdempotencyKeyReuse), (reused.StatusCode, reused.Problem.Code));
        Assert.Equal(ProblemCodes.VersionMismatch, notYet.Problem.Code);
        Assert.Equal(3, await ledger.EventCountAsync(id));
    }

    [Fact]
    public async Task a_command_whose_answer_was_lost_is_retried_with_its_key_and_recorded_once()
    {
        var retries = new List<string>();
        var lose = new LoseFirstAnswer();
        var client = Client(new LedgerClientOptions { OnRetry = (_, _, why) => retries.Add(why) }, lose);
        var id = Given.NewId("client-lost");

        var proposed = await client.ProposeAsync(Proposal(id, "EU"));

        Assert.True(lose.Lost);
        Assert.Single(retries);
        Assert.True(proposed.Replayed);
        Assert.Equal(1, proposed.Version);
        Assert.Equal(1, await ledger.EventCountAsync(id));

        // Without a key the client does not guess: the lost answer is the caller's to handle.
        var unkeyed = Client(new LedgerClientOptions { GenerateIdempotencyKeys = false }, new LoseFirstAnswer());
        await Assert.ThrowsAsync<HttpRequestException>(() => unkeyed.ProposeAsync(Proposal(Given.NewId("client-unkeyed"), "EU")));
    }

    [Fact]
    public async Task queries_page_and_travel_in_time()
    {
        var client = Client();
        var party = Given.NewParty();
        var ids = new[] { Given.NewId("client-qa"), Given.NewId("client-qb"), Given.NewId("client-qc") }.Order().ToArray();
        foreach (var id in ids)
        {
            await client.ProposeAsync(Proposal(id, party, "EU"));
        }

        await client.SignAsync(ids[0], new Signature(party, Day.AddDays(5)));
        await client.SignAsync(ids[0], new Signature("EU", Day.AddDays(6)));

        var first = await client.GetAgreementAsync(ids[0], new PointInTime(Version: 1));
        var effective = await client.GetAgreementAsync(ids[0], new PointInTime(EffectiveOn: Day.AddDays(5)));
        var now = await client.GetAgreementAsync(ids[0]);
        var timeline = await client.ReadTimelineAsync(ids[0], pageSize: 1).ToListAsync();
        var listed = await client.ListAllAgreementsAsync(new AgreementFilter(Party: party), pageSize: 2).ToListAsync();
        var signedOnly = await client.ListAgreementsAsync(new AgreementFilter(Party: party, Status: AgreementStatuses.Signed));
        var bySignature = await client.ListAllAgreementsAsync(new AgreementFilter(Party: party) { Sort = "-" + AgreementSorts.SignedOn }, pageSize: 1).ToListAsync();
        var inEffect = await client.ListAgreementsAsync(new AgreementFilter(Party: party, Status: AgreementStatuses.Signed) { EffectiveOn = Day.AddDays(5) });
        var portfolio = await client.GetPartyAgreementsAsync(party);
        var firstPage = await client.GetPartyAgreementsAsync(party, limit: 1);
        var secondPage = await client.GetPartyAgreementsAsync(party, limit: 1, cursor: firstPage.Next);
        var before = await Assert.ThrowsAsync<LedgerNotFoundException>(() => client.GetAgreementAsync(ids[0], new PointInTime(EffectiveOn: Day.AddDays(-1))));

        Assert.Equal((AgreementStatuses.Proposed, 1L), (first.Value.Status, first.Version!.Value));
        Assert.Equal([party], effective.Value.Signatories.Select(s => s.Party));
        Assert.Equal((AgreementStatuses.Signed, 3L), (now.Value.Status, now.Version!.Value));
        Assert.Equal([1L, 2L, 3L], timeline.Select(e => e.Version));
        Assert.Equal("0000000000000000000000000000000000000000000000000000000000000000", timeline[0].PreviousHash);
        Assert.Equal(timeline[0].Hash, timeline[1].PreviousHash);
        Assert.Equal(ids, listed.Select(a => a.Id));
        Assert.Equal([ids[0]], signedOnly.Items.Select(a => a.Id));
        Assert.Equal(Day.AddDays(6), signedOnly.Items[0].Stages!.Single(s => s.Stage == AgreementStatuses.Signed).ReachedOn);
        Assert.Equal(now.Value.LastRecordedAt, signedOnly.Items[0].LastRecordedAt);
        Assert.Null(signedOnly.Items[0].NextTarget);
        Assert.Equal(ids[0], bySignature[0].Id);
        Assert.Equal(ids.Length, bySignature.Count);
        Assert.Empty(inEffect.Items);
        Assert.Equal(ids, portfolio.Agreements.Select(a => a.Id));
        Assert.Null(portfolio.Next);
        Assert.Equal([ids[0]], firstPage.Agreements.Select(a => a.Id));
        Assert.Equal([ids[1]], secondPage.Agreements.Select(a => a.Id));
        Assert.Equal(ProblemCodes.NotFound, before.Problem.Code);
    }

    [Fact]
    public async Task the_treaty_law_commands_answer_the_status_table_and_the_portfolio_and_list_follow()
    {
        var client = Client();
        var party = Given.NewParty();
        var id = Given.NewId("client-treaty");
        await client.ProposeAsync(Proposal(id, party, "GB"));
        await client.ExpressConsentAsync(id, new ConsentToBeBound(party, Instruments.DefinitiveSignature, Day.AddDays(1), Place: "Rome"));
        await client.SignAsync(id, new Signature("GB", Day.AddDays(1)));
        await client.StartProvisionalApplicationAsync(id, new ProvisionalApplication("GB", Day.AddDays(2)));
        var reserved = await client.MakeReservationAsync(id, new ReservationStatement("GB", "declaration", "Applies to the mainland.", OccurredOn: Day.AddDays(2)));
        var entered = await client.EnterIntoForceAsync(id, new EntryIntoForce(Day.AddDays(3)));
        var denounced = await client.DenounceAsync(id, new Denunciation(party, Day.AddDays(4), Day.AddDays(4000)));

        Assert.Equal(AgreementStatuses.Signed, entered.Value.Status);
        Assert.True(entered.Value.InForce);
        Assert.Equal(Day.AddDays(3), entered.Value.InForceOn);
        var row = denounced.Value.Participation!.Single(p => p.Party == party);
        Assert.Equal((Instruments.DefinitiveSignature, Day.AddDays(1)), (row.Consent!.Instrument, row.Consent.On));
        Assert.Equal((Day.AddDays(3), Day.AddDays(4), Day.AddDays(4000)), (row.InForceOn!.Value, row.WithdrawnOn!.Value, row.WithdrawalEffectiveOn!.Value));
        Assert.Equal(Day.AddDays(2), denounced.Value.Participation!.Single(p => p.Party == "GB").ProvisionalFrom);
        Assert.Equal("declaration", Assert.Single(reserved.Value.Participation!.Single(p => p.Party == "GB").Reservations).Kind);

        var portfolio = await client.GetPartyAgreementsAsync(party);
        Assert.Equal(Instruments.DefinitiveSignature, portfolio.Agreements.Single().Consent!.Instrument);
        Assert.True(portfolio.Agreements.Single().InForce);
        Assert.Equal([id], (await client.ListAgreementsAsync(new AgreementFilter(Party: party) { InForce = true })).Items.Select(i => i.Id));
        var problem = await Assert.ThrowsAsync<LedgerConflictException>(() => client.DenounceAsync(id, new Denunciation(party, Day.AddDays(5))));
        Assert.Equal(409, problem.Problem.Status);
    }

    [Fact]
    public async Task audit_routes_answer_typed_reports_and_the_export_streams()
    {
        var client = Client();
        var id = Given.NewId("client-audit");
        await client.ProposeAsync(Proposal(id, "EU"));

        var report = await client.VerifyAsync(id);
        var digest = await client.GetDigestAsync();
        var keys = await client.GetPublicKeysAsync();
        using var export = new MemoryStream();
        await client.ExportAsync(export);
        var lines = System.Text.Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal((true, 1L, 1L), (report.Verified, report.StreamsChecked, report.EventsChecked));
        Assert.Equal(64, digest.Digest.Length);
        Assert.Contains(keys.Keys, k => k.KeyId == digest.KeyId && k.Pem.StartsWith("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"\"agreementId\":\"{id}\"", StringComparison.Ordinal));
        Assert.Contains("\"record\":\"digest\"", lines[^2]);
        Assert.Contains("\"record\":\"checkpoint\"", lines[^1]);
    }

    [Fact]
    public async Task transparency_routes_answer_typed_checkpoints_and_proofs_that_verify()
    {
        var client = Client();
        var id = Given.NewId("client-tlog");
        await client.ProposeAsync(Proposal(id, "EU"));
        await client.SignAsync(id, new Signature("EU", Day));
        var events = await ledger.Host.Services.GetRequiredService<AgreementLedger.Ledger.Merkle.Stored.MerkleExtender>().CatchUpAsync(CancellationToken.None);
        var size = events.Size;

        var checkpoint = await client.GetCheckpointAsync(size);
        var position = (await client.GetTimelineAsync(id)).Entries[^1].Position;
        var inclusion = await client.GetInclusionProofAsync(position, size);
        var consistency = await client.GetConsistencyProofAsync(1, size);

        Assert.Equal(size, checkpoint.TreeSize);
        Assert.True(AgreementLedger.Ledger.Signing.Es256.Verify(
            TestAuditKey.Key.ExportSubjectPublicKeyInfo(), AgreementLedger.Ledger.Signing.CheckpointMessages.Body(checkpoint.Origin, size, Convert.FromHexString(checkpoint.RootHash)), checkpoint.Signature));
        Assert.Equal(checkpoint.RootHash, inclusion.RootHash);
        Assert.True(AgreementLedger.Ledger.Merkle.MerkleProofs.VerifyInclusion(
            inclusion.LeafIndex, size, Convert.FromHexString(inclusion.LeafHash), [.. inclusion.AuditPath.Select(Convert.FromHexString)], Convert.FromHexString(checkpoint.RootHash)));
        Assert.True(AgreementLedger.Ledger.Merkle.MerkleProofs.VerifyConsistency(
            1, size, Convert.FromHexString(consistency.FromRootHash), Convert.FromHexString(consistency.ToRootHash), [.. consistency.Proof.Select(Convert.FromHexString)]));
        Assert.Equal(ProblemCodes.Validation, (await Assert.ThrowsAsync<LedgerValidationException>(() => client.GetConsistencyProofAsync(size, 1))).Problem.Code);
    }

    [Fact]
    public async Task a_diverged_history_is_answered_at_once_not_retried()
    {
        var retries = 0;
        var client = Client(new LedgerClientOptions { MaxRetries = 4, OnRetry = (_, _, _) => retries++ });
        await ledger.ExecuteAsync("insert into ledger.audit_divergences (tree_size, root_hash, signed_by, reason) values (1, repeat('cd', 32), 'the witness at http://witness.test/', 'a test')");
        try
        {
            var refused = await Assert.ThrowsAsync<LedgerProblemException>(() => client.GetCheckpointAsync());
            Assert.Equal((HttpStatusCode.ServiceUnavailable, ProblemCodes.HistoryDiverged), (refused.StatusCode, refused.Problem.Code));
            Assert.Equal(1, refused.Problem.Extensions!["treeSize"].GetInt64());
            Assert.Equal(0, retries);
        }
        finally
        {
            await ledger.ExecuteAsync("delete from ledger.audit_divergences");
        }
    }

    [Fact]
    public async Task the_feed_pages_and_the_stream_resumes_after_a_last_event_id()
    {
        var client = Client();
        var id = Given.NewId("client-feed");
        var head = await HeadAsync(client);
        await client.ProposeAsync(Proposal(id, "EU", "JP"));
        await client.SignAsync(id, new Signature("EU", Day));

        // The stream waits for both events; once it has them they are safe, so the page serves them too.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var streamed = new List<LedgerEvent>();
        await foreach (var e in client.StreamEventsAsync(head, ct: timeout.Token))
        {
            if (e.AgreementId == id)
            {
                streamed.Add(e);
            }

            if (streamed.Count == 2)
            {
                break;
            }
        }

        var page = await client.GetEventsAsync(head, 1000, ["party_signed"]);
        var mine = page.Events.Where(e => e.AgreementId == id).ToList();
        var signature = Assert.Single(mine);
        Assert.Equal(("party_signed", 2L, "EU"), (signature.Type, signature.Version, signature.Data.GetProperty("party").GetString()));
        Assert.True(page.Next >= signature.Position);
        Assert.Equal(["agreement_proposed", "party_signed"], streamed.Select(e => e.Type));
        Assert.Equal(signature.Hash, streamed[1].Hash);
        Assert.Equal(ProblemCodes.Validation, (await Assert.ThrowsAsync<LedgerValidationException>(() => client.GetEventsAsync(0, 5000))).Problem.Code);
    }

    [Fact]
    public async Task webhooks_are_registered_listed_and_deleted()
    {
        var client = Client();
        var key = "hook-" + Guid.NewGuid().ToString("N");
        var registered = await client.RegisterWebhookAsync(new WebhookRegistration("https://hooks.example.org/ledger", "whsec-0123456789abcdef", ["party_signed"]), new CommandOptions(IdempotencyKey: key));
        var again = await client.RegisterWebhookAsync(new WebhookRegistration("https://hooks.example.org/ledger", "whsec-0123456789abcdef", ["party_signed"]), new CommandOptions(IdempotencyKey: key));
        var listed = await client.ListWebhooksAsync();
        var one = await client.GetWebhookAsync(registered.Value.Id);
        await client.DeleteWebhookAsync(registered.Value.Id);

        Assert.Equal($"/subscriptions/{registered.Value.Id}", registered.Location);
        Assert.Equal((registered.Value.Id, true), (again.Value.Id, again.Replayed));
        Assert.Contains(listed.Items, w => w.Id == registered.Value.Id);
        Assert.Equal(["party_signed"], one.Types);
        await Assert.ThrowsAsync<LedgerNotFoundException>(() => client.GetWebhookAsync(registered.Value.Id));
    }

    private static async Task<long> HeadAsync(LedgerClient client)
    {
        long after = 0;
        while (true)
        {
            var page = await client.GetEventsAsync(after, 1000);
            if (page.Next == after)
            {
                return after;
            }

            after = page.Next;
        }
    }

    /// <summary>Lets the first request reach the service, then loses its answer, as a dropped connection would.</summary>
    private sealed class LoseFirstAnswer : DelegatingHandler
    {
        public bool Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Lost)
            {
                return response;
            }

            Lost = true;
            response.Dispose();
            throw new HttpRequestException("The connection was reset before the answer arrived.");
        }
    }
}
