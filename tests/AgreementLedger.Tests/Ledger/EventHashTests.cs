using System.Text.Json;
using AgreementLedger.Ledger;

namespace AgreementLedger.Tests.Ledger;

public sealed class EventHashTests
{
    private static readonly HashedEvent Signed = new(
        "party_signed",
        "gcap-treaty",
        2,
        new DateOnly(2023, 12, 14),
        "2024-06-23T10:15:30.123456Z",
        "alice",
        JsonDocument.Parse("""{ "party": "JP", "place": "Tōkyō \"HQ\"", "occurredOn": "2023-12-14" }""").RootElement);

    [Fact]
    public void canonical_form_is_the_jcs_of_the_envelope()
    {
        Assert.Equal(
            """{"agreementId":"gcap-treaty","data":{"occurredOn":"2023-12-14","party":"JP","place":"Tōkyō \"HQ\""},"occurredOn":"2023-12-14","recordedAt":"2024-06-23T10:15:30.123456Z","recordedBy":"alice","type":"party_signed","version":2}""",
            EventHash.Canonical(Signed));
    }

    [Fact]
    public void hash_is_sha256_of_previous_hash_then_canonical_form()
    {
        // Computed independently: python3 hashlib.sha256(("0"*64 + canonical).encode("utf-8")).hexdigest()
        Assert.Equal("5c9e41683784619e8fef62404eaaf31074a0fd8c93fcfba6336dc97f72b5b25d", EventHash.Compute(EventHash.Genesis, Signed));
    }

    [Fact]
    public void a_retraction_hashes_a_null_occurred_on()
    {
        var retraction = Signed with { OccurredOn = null };
        Assert.Contains("\"occurredOn\":null", EventHash.Canonical(retraction), StringComparison.Ordinal);
    }

    [Fact]
    public void any_change_to_a_hashed_field_changes_the_hash()
    {
        var original = EventHash.Compute(EventHash.Genesis, Signed);
        var changed = new[]
        {
            Signed with { Type = "party_joined" },
            Signed with { AgreementId = "gcap" },
            Signed with { Version = 3 },
            Signed with { OccurredOn = new DateOnly(2023, 12, 15) },
            Signed with { RecordedAt = "2024-06-23T10:15:30.123457Z" },
            Signed with { RecordedBy = "bob" },
            Signed with { Data = JsonDocument.Parse("""{ "party": "GB", "place": "Tōkyō \"HQ\"", "occurredOn": "2023-12-14" }""").RootElement },
        };

        Assert.All(changed, e => Assert.NotEqual(original, EventHash.Compute(EventHash.Genesis, e)));
        Assert.NotEqual(original, EventHash.Compute(new string('1', 64), Signed));
    }
}
