using System.Globalization;
using AgreementLedger.Ledger;

namespace AgreementLedger.Tests.Ledger;

public sealed class EventEnvelopeTests
{
    [Fact]
    public void formats_an_instant_exactly_as_its_documented_format_does()
    {
        var random = new Random(9);
        var instants = new List<DateTimeOffset>
        {
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, new(2024, 7, 1, 0, 0, 0, TimeSpan.Zero),
            new(2024, 7, 1, 23, 59, 59, TimeSpan.FromHours(9)), new DateTimeOffset(2026, 12, 1, 19, 30, 0, TimeSpan.FromHours(-5)).AddTicks(9_999_999),
        };
        instants.AddRange(Enumerable.Range(0, 1000).Select(_ => new DateTimeOffset(random.NextInt64(DateTimeOffset.MinValue.Ticks, DateTimeOffset.MaxValue.Ticks), TimeSpan.Zero)));

        Assert.All(instants, instant =>
            Assert.Equal(instant.UtcDateTime.ToString(EventEnvelope.InstantFormat, CultureInfo.InvariantCulture), EventEnvelope.FormatInstant(instant)));
    }
}
