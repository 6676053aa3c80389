using AgreementLedger.Agreements;
using AgreementLedger.Agreements.Citing;
using static AgreementLedger.Tests.Support.Slices;

namespace AgreementLedger.Tests.Agreements;

public sealed class CitingTests
{
    [Fact]
    public void a_url_that_is_not_http_is_invalid() =>
        Invalid(CiteSourceEndpoint.Validate(new CiteSource("Reuters", "ftp://example.org/a", null, null, null), Clock), "url", "must be an absolute http or https URL");

    [Fact]
    public void a_source_published_tomorrow_is_invalid() =>
        Invalid(CiteSourceEndpoint.Validate(new CiteSource("Reuters", null, Today.AddDays(1), null, null), Clock), "publishedOn", "must not be in the future");

    [Fact]
    public void a_source_is_cited_today_by_default() =>
        Assert.Equal(new SourceCited("Reuters", "https://example.org/a", ProposedOn, null, Today),
            Accepted<SourceCited>(CiteSourceEndpoint.Decide(new CiteSource("Reuters", "https://example.org/a", ProposedOn, null, null), Signed(), Today)));

    [Fact]
    public void no_source_is_cited_once_terminated() =>
        Conflict(CiteSourceEndpoint.Decide(new CiteSource("Reuters", null, null, null, null), Signed(new AgreementTerminated("Ended", ProposedOn)), Today),
            "The agreement has been Terminated since 2026-01-15 (event 4), which is final: nothing more can be recorded on it. Recording this would break the lifecycle at event 5 (source_cited) on 2026-12-01.");
}
