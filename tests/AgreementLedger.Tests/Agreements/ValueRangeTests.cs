using AgreementLedger.Agreements;
using AgreementLedger.Ledger;

namespace AgreementLedger.Tests.Agreements;

/// <summary>docs/api.md "Conventions": whole-value patterns, and every instant from 0001-01-01 to 9999-12-31 with any offset.</summary>
public sealed class ValueRangeTests
{
    [Theory]
    [InlineData("gcap-treaty", true)]
    [InlineData("gcap-treaty\n", false)]
    [InlineData("gcap-treaty\r\n", false)]
    [InlineData("\ngcap-treaty", false)]
    [InlineData("gcap\u0085treaty", false)]
    public void an_agreement_id_matches_only_as_a_whole(string id, bool matches) =>
        Assert.Equal(matches, AgreementIds.Pattern().IsMatch(id));

    [Theory]
    [InlineData("JP", true)]
    [InlineData("JP\n", false)]
    [InlineData("NATO", true)]
    public void a_party_matches_only_as_a_whole(string party, bool matches) =>
        Assert.Equal(matches, Conventions.Party().IsMatch(party));

    [Theory]
    [InlineData("space\n")]
    [InlineData("space\t")]
    public void an_area_with_a_control_character_does_not_match(string area) => Assert.DoesNotMatch(Conventions.Area(), area);

    [Theory]
    [InlineData("d-1\n")]
    [InlineData("d-1\u007f")]
    public void a_deliverable_id_with_a_control_character_does_not_match(string deliverableId) =>
        Assert.DoesNotMatch(Conventions.DeliverableId(), deliverableId);

    [Theory]
    [InlineData("2024-06-23", "2024-06-23T23:59:59.9999990Z")]
    [InlineData("9999-12-31", "9999-12-31T23:59:59.9999990Z")]
    [InlineData("0001-01-01", "0001-01-01T23:59:59.9999990Z")]
    [InlineData("2024-06-23T19:15:00+09:00", "2024-06-23T10:15:00.0000000Z")]
    [InlineData("2024-06-23T10:15Z", "2024-06-23T10:15:00.0000000Z")]
    [InlineData("2024-06-23t10:15:00z", "2024-06-23T10:15:00.0000000Z")]
    [InlineData("2024-06-23T10:15:00.1234567Z", "2024-06-23T10:15:00.1234560Z")]
    [InlineData("2024-06-23T10:15:00.123456999999Z", "2024-06-23T10:15:00.1234560Z")]
    [InlineData("2024-06-23T10:15:00.9999999Z", "2024-06-23T10:15:00.9999990Z")]
    [InlineData("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.0000000Z")]
    [InlineData("0001-01-01T00:00:00.0000009Z", "0001-01-01T00:00:00.0000000Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999990Z")]
    [InlineData("9999-12-31T23:59:59-00:01", "9999-12-31T23:59:59.9999990Z")]
    [InlineData("9999-12-31T12:00:00-23:59", "9999-12-31T23:59:59.9999990Z")]
    [InlineData("2024-06-23T10:00:00-23:59", "2024-06-24T09:59:00.0000000Z")]
    public void an_instant_is_read_in_utc_truncated_to_the_microsecond_and_past_the_calendar_is_its_end(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), AgreementLedger.Infrastructure.Instants.Parse(text));

    [Theory]
    [InlineData("0001-01-01T00:00:00+00:01")]
    [InlineData("0001-01-01T00:59:59.9999999+01:00")]
    [InlineData("2024-02-30")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("2024-06-23T24:00:00Z")]
    [InlineData("2024-06-23T10:60:00Z")]
    [InlineData("2024-06-23T10:00:60Z")]
    [InlineData("2024-06-23T10:00:00+24:00")]
    [InlineData("2024-06-23T10:00:00+09:60")]
    [InlineData("2024-06-23T10:00:00")]
    [InlineData("2024-06-23T10:00.5Z")]
    [InlineData("2024-06-23\n")]
    [InlineData("2024-06-23T10:00:00Z\n")]
    [InlineData(" 2024-06-23")]
    [InlineData("١٢٣٤-06-23T10:00:00Z")]
    [InlineData("10000-01-01")]
    [InlineData("")]
    public void an_impossible_instant_or_one_before_the_calendar_is_refused(string text) => Assert.Null(AgreementLedger.Infrastructure.Instants.Parse(text));

    [Fact]
    public void an_as_of_after_today_judges_targets_against_today()
    {
        var today = new DateOnly(2026, 12, 1);
        Assert.Equal(today, new PointInTime(DateTimeOffset.MaxValue, null, null).ReferenceDate(today));
        Assert.Equal(new DateOnly(2025, 1, 2), new PointInTime(new DateTimeOffset(2025, 1, 2, 10, 0, 0, TimeSpan.Zero), null, null).ReferenceDate(today));
    }
}
