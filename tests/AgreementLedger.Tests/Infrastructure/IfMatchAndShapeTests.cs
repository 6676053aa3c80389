using System.Text.Json;
using AgreementLedger.Agreements.Proposing;
using AgreementLedger.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace AgreementLedger.Tests.Infrastructure;

public sealed class IfMatchAndShapeTests
{
    [Theory]
    [InlineData(null, true, 5)]
    [InlineData("\"5\"", true, 5)]
    [InlineData("\"4\"", false, 5)]
    [InlineData("*", true, 5)]
    [InlineData("*", false, 0)]
    [InlineData("\"0\"", true, 0)]
    public void if_match_matches_the_current_version(string? header, bool matches, long current)
    {
        var parsed = IfMatch.Parse(Request(header));
        Assert.NotNull(parsed);
        Assert.Equal(matches, parsed.Value.Matches(current));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("W/\"5\"")]
    [InlineData("\"five\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"1\", \"2\"")]
    public void malformed_if_match_is_refused(string header) => Assert.Null(IfMatch.Parse(Request(header)));

    [Fact]
    public void shape_check_names_unknown_members_wrong_types_and_bad_dates()
    {
        using var body = JsonDocument.Parse("""{"title": 1, "occuredOn": "2024-01-01", "occurredOn": "2024-13-01", "parties": ["JP", 2], "sources": [{"publisher": "X", "extra": true}]}""");

        var errors = JsonShape.Check(body.RootElement, typeof(ProposeAgreement));

        Assert.Equal(["occuredOn", "occurredOn", "parties[1]", "sources[0].extra", "title"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void shape_check_accepts_a_well_formed_body()
    {
        using var body = JsonDocument.Parse("""{"id": "x1", "title": "T", "kind": "treaty", "parties": ["JP"], "areas": [], "summary": null, "occurredOn": "2024-01-01", "sources": [{"publisher": "X", "publishedOn": "2024-01-01"}]}""");
        Assert.Empty(JsonShape.Check(body.RootElement, typeof(ProposeAgreement)));
    }

    private static HttpRequest Request(string? ifMatch)
    {
        var context = new DefaultHttpContext();
        if (ifMatch is not null)
        {
            context.Request.Headers.IfMatch = ifMatch;
        }

        return context.Request;
    }
}
