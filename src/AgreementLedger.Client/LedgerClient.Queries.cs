using System.Runtime.CompilerServices;

namespace AgreementLedger.Client;

/// <summary>The queries and the audit routes (docs/api.md, "Queries", "Audit").</summary>
public sealed partial class LedgerClient
{
    // Queries (roles recorder, auditor)

    /// <summary><c>GET /agreements/{id}</c>, now or at <paramref name="at"/>; <see cref="LedgerResponse{T}.Version"/> is its <c>ETag</c>.</summary>
    public async Task<LedgerResponse<AgreementState>> GetAgreementAsync(string id, PointInTime? at = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query(On(id), At(at)), ct);
        return await AnswerAsync<AgreementState>(response, null, ct);
    }

    /// <summary>One page of the timeline; follow <see cref="TimelinePage.Next"/> with the same <paramref name="at"/>.</summary>
    public async Task<TimelinePage> GetTimelineAsync(string id, PointInTime? at = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query(On(id, "timeline"), [.. At(at), ("limit", Number(limit)), ("cursor", cursor)]), ct);
        return (await AnswerAsync<TimelinePage>(response, null, ct)).Value;
    }

    /// <summary>The whole timeline, page after page.</summary>
    public async IAsyncEnumerable<TimelineEntry> ReadTimelineAsync(string id, PointInTime? at = null, int pageSize = 1000, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var page = await GetTimelineAsync(id, at, pageSize, cursor, ct);
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }

            cursor = page.Next;
        }
        while (cursor is not null);
    }

    /// <summary>One page of <c>GET /agreements</c> (by id, or in the filter's sort); follow <see cref="AgreementPage.Next"/> with the same filter.</summary>
    public async Task<AgreementPage> ListAgreementsAsync(AgreementFilter? filter = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        filter ??= new AgreementFilter();
        using var response = await GetAsync(Query("agreements",
            ("party", filter.Party), ("status", filter.Status), ("area", filter.Area), ("kind", filter.Kind),
            ("asOf", Instant(filter.AsOf)), ("effectiveOn", filter.EffectiveOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("sort", filter.Sort), ("inForce", filter.InForce is { } inForce ? (inForce ? "true" : "false") : null), ("limit", Number(limit)), ("cursor", cursor)), ct);
        return (await AnswerAsync<AgreementPage>(response, null, ct)).Value;
    }

    /// <summary>Every agreement the filter matches, page after page.</summary>
    public async IAsyncEnumerable<AgreementSummary> ListAllAgreementsAsync(AgreementFilter? filter = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListAgreementsAsync(filter, pageSize, cursor, ct);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.Next;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// <c>GET /parties/{party}/agreements</c>: every agreement in one answer, or, with <paramref name="limit"/>, one page;
    /// follow <see cref="PartyPortfolio.Next"/> with the same party and <paramref name="asOf"/>.
    /// </summary>
    public async Task<PartyPortfolio> GetPartyAgreementsAsync(
        string party, DateTimeOffset? asOf = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query($"parties/{Uri.EscapeDataString(party)}/agreements",
            ("asOf", Instant(asOf)), ("limit", Number(limit)), ("cursor", cursor)), ct);
        return (await AnswerAsync<PartyPortfolio>(response, null, ct)).Value;
    }

    // Audit (role auditor)

    /// <summary><c>GET /audit/verify</c>: the whole ledger, or one agreement.</summary>
    public async Task<VerificationReport> VerifyAsync(string? agreementId = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/verify", ("agreementId", agreementId)), ct);
        return (await AnswerAsync<VerificationReport>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/digest</c> at <paramref name="position"/>, or at the newest safe position.</summary>
    public async Task<SignedDigest> GetDigestAsync(long? position = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/digest", ("position", Number(position))), ct);
        return (await AnswerAsync<SignedDigest>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/public-key</c>: the current key first.</summary>
    public async Task<PublicKeys> GetPublicKeysAsync(CancellationToken ct = default)
    {
        using var response = await GetAsync("audit/public-key", ct);
        return (await AnswerAsync<PublicKeys>(response, null, ct)).Value;
    }

    // Transparency log (role auditor)

    /// <summary><c>GET /audit/checkpoint</c>: the newest published checkpoint, or the one of <paramref name="treeSize"/>.</summary>
    public async Task<Checkpoint> GetCheckpointAsync(long? treeSize = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/checkpoint", ("treeSize", Number(treeSize))), ct);
        return (await AnswerAsync<Checkpoint>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/proofs/inclusion</c>: the event at <paramref name="position"/> in the tree of <paramref name="treeSize"/> (default: the newest published checkpoint's).</summary>
    public async Task<InclusionProof> GetInclusionProofAsync(long position, long? treeSize = null, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/proofs/inclusion", ("position", Number(position)), ("treeSize", Number(treeSize))), ct);
        return (await AnswerAsync<InclusionProof>(response, null, ct)).Value;
    }

    /// <summary><c>GET /audit/proofs/consistency</c>: that the tree of <paramref name="to"/> leaves extends the tree of <paramref name="from"/>.</summary>
    public async Task<ConsistencyProof> GetConsistencyProofAsync(long from, long to, CancellationToken ct = default)
    {
        using var response = await GetAsync(Query("audit/proofs/consistency", ("from", Number(from)), ("to", Number(to))), ct);
        return (await AnswerAsync<ConsistencyProof>(response, null, ct)).Value;
    }

    /// <summary>Streams <c>GET /audit/export</c> (<c>ndjson</c> or <c>csv</c>) into <paramref name="destination"/>.</summary>
    public async Task ExportAsync(Stream destination, string format = "ndjson", DateTimeOffset? asOf = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, Query("audit/export", ("format", format), ("asOf", Instant(asOf)))),
            retryable: true, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await response.Content.CopyToAsync(destination, ct);
    }
}
