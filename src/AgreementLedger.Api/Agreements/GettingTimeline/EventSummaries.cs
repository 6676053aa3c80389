using System.Text.Json;

namespace AgreementLedger.Agreements.GettingTimeline;

/// <summary>One human sentence per timeline entry, from the stored data.</summary>
public static class EventSummaries
{
    public static string Describe(string type, JsonElement data) => type switch
    {
        EventTypeNames.AgreementProposed =>
            $"\"{Text(data, "title")}\" proposed between {List(data, "parties")}",
        EventTypeNames.NegotiationRoundHeld =>
            "Negotiation round held" + Suffix(" in ", Text(data, "location")) + Suffix(" with ", List(data, "participants")),
        EventTypeNames.PartySigned =>
            $"{Text(data, "party")} signed" + Suffix(" in ", Text(data, "place")) + Suffix(" (signed by ", Text(data, "signedBy"), ")"),
        EventTypeNames.TermsAgreed => "Terms agreed" + Suffix(": ", Text(data, "summary")),
        EventTypeNames.PartyJoined => $"{Text(data, "party")} joined as a party",
        EventTypeNames.DeliverablePlanned =>
            $"Deliverable \"{Text(data, "name")}\" ({Text(data, "deliverableId")}) planned" + Suffix(", due by ", Text(data, "dueBy")),
        EventTypeNames.FundingCommitted =>
            $"{Text(data, "funder")} committed {Number(data, "amount")} {Text(data, "currency")}" + Suffix(" for ", Text(data, "purpose")),
        EventTypeNames.DeliverableDelivered => $"Deliverable {Text(data, "deliverableId")} delivered" + Suffix(": ", Text(data, "note")),
        EventTypeNames.TargetSet => $"Target set: {Text(data, "milestone")} by {Text(data, "targetDate")}",
        EventTypeNames.SourceCited => $"Source cited: {Text(data, "publisher")}" + Suffix(", published ", Text(data, "publishedOn")),
        EventTypeNames.AgreementAmended => "Amended: " + Text(data, "summary"),
        EventTypeNames.AgreementSuspended => "Suspended: " + Text(data, "reason"),
        EventTypeNames.AgreementResumed => "Resumed: " + Text(data, "reason"),
        EventTypeNames.AgreementTerminated => "Terminated: " + Text(data, "reason"),
        EventTypeNames.AgreementWithdrawn => "Withdrawn: " + Text(data, "reason"),
        EventTypeNames.ConsentExpressed =>
            $"{Text(data, "party")} {Consented(Text(data, "instrument"))}" + Suffix(" (deposited with ", Text(data, "depositary"), ")"),
        // In the contract's own words ("entered into force for JP, GB, IT"), as a depositary's notification reads.
        EventTypeNames.EnteredIntoForce => "entered into force" + Suffix(" for ", Codes(data, "parties")),
        EventTypeNames.ProvisionalApplicationStarted => $"{Text(data, "party")} applies the agreement provisionally",
        EventTypeNames.ReservationMade => Text(data, "kind") switch
        {
            "objection" => $"{Text(data, "party")} objected to event {Number(data, "refersTo")}: {Text(data, "text")}",
            "withdrawal" => $"{Text(data, "party")} withdrew event {Number(data, "refersTo")}: {Text(data, "text")}",
            var kind => $"{Text(data, "party")} made a {kind}: {Text(data, "text")}",
        },
        EventTypeNames.PartyWithdrew => $"{Text(data, "party")} withdrew, taking effect on {Text(data, "effectiveOn")}",
        EventTypeNames.EventRetracted => $"Event {Number(data, "version")} retracted: {Text(data, "reason")}",
        _ => type.Replace('_', ' '),
    };

    /// <summary>The depositary's verb for an instrument of consent ("IT ratified").</summary>
    private static string Consented(string? instrument) => instrument switch
    {
        "ratification" => "ratified",
        "acceptance" => "accepted",
        "approval" => "approved",
        "accession" => "acceded",
        "definitive-signature" => "signed definitively",
        "succession" => "succeeded",
        _ => "consented to be bound",
    };

    private static string Suffix(string prefix, string? value, string end = "") =>
        string.IsNullOrEmpty(value) ? "" : prefix + value + end;

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Number(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDecimal().ToString("#,0.##", System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>Party codes as a depositary lists them: separated by commas.</summary>
    private static string? Codes(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
            ? string.Join(", ", value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()))
            : null;

    private static string? List(JsonElement data, string name)
    {
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var items = value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList();
        return items.Count switch
        {
            0 => null,
            1 => items[0],
            _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
        };
    }
}
