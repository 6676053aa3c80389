using AgreementLedger.Agreements;

namespace AgreementLedger.Agreements.Seeding;

/// <summary>One demo agreement: its events in the order they are recorded.</summary>
public sealed record DemoAgreement(string Id, IReadOnlyList<IAgreementEvent> Events);

/// <summary>
/// The demo data, taken from the two seed reports (shared/seeds): a Nikkei report and the Reuters
/// report dated 2024-06-23, on the EU's search for security and defence-industrial partnerships in
/// Asia. The reports' relative dates are anchored to 2024-06-23; where they give only a month, or no
/// date at all, the source note says so.
/// </summary>
public static class DemoAgreements
{
    public static readonly DateOnly ReportDate = new(2024, 6, 23);

    private static readonly SourceReference Nikkei = new(
        "Nikkei", null, ReportDate, "Report from Brussels citing a senior European Commission official.");

    private static readonly SourceReference Reuters = new(
        "Reuters", null, ReportDate, "TOKYO, June 23 (Reuters), reporting the Nikkei story.");

    private static SourceReference Note(SourceReference source, string note) => source with { Note = source.Note + " " + note };

    public static IReadOnlyList<DemoAgreement> All { get; } =
    [
        new("eu-japan-security-defence-partnership",
        [
            new AgreementProposed(
                "eu-japan-security-defence-partnership",
                "EU–Japan security and defence partnership",
                "partnership",
                ["EU", "JP"],
                ["defence-industry", "space", "cybersecurity", "disinformation", "maritime-security", "nuclear-disarmament", "non-proliferation"],
                "The EU seeks a security and defence-industrial partnership with Japan to develop equipment jointly; Japanese companies could join EU-led defence R&D with EU funding. Japan's plans include nuclear disarmament and non-proliferation cooperation.",
                ReportDate,
                [Note(Nikkei, "Proposal dated to the report (2024-06-23)."), Reuters]),
            new TargetSet("Signed", new DateOnly(2024, 12, 31), "The EU aims for a ministerial-level agreement with Japan by the end of the year.", ReportDate),
        ]),
        new("eu-south-korea-security-defence-partnership",
        [
            new AgreementProposed(
                "eu-south-korea-security-defence-partnership",
                "EU–South Korea security and defence partnership",
                "partnership",
                ["EU", "KR"],
                ["defence-industry"],
                "The EU is exploring a security and defence-industrial partnership with South Korea, which is increasing weapons exports to Europe.",
                ReportDate,
                [Note(Nikkei, "Proposal dated to the report (2024-06-23)."), Reuters]),
        ]),
        new("eu-norway-security-defence-partnership",
        [
            new AgreementProposed(
                "eu-norway-security-defence-partnership",
                "EU–Norway security and defence partnership",
                "partnership",
                ["EU", "NO"],
                ["defence-industry"],
                "A security and defence partnership the EU has already established with Norway, a non-EU European country.",
                ReportDate,
                [Note(Nikkei, "The reports say the partnership is already established but give no date; its events are dated to the report (2024-06-23).")]),
            new PartySigned("EU", ReportDate, null, null),
            new PartySigned("NO", ReportDate, null, null),
        ]),
        new("gcap-treaty",
        [
            new AgreementProposed(
                "gcap-treaty",
                "Global Combat Air Programme (GCAP) treaty",
                "treaty",
                ["JP", "GB", "IT"],
                ["defence-industry", "air-combat"],
                "Japan, the UK and Italy deepen defence cooperation: a joint government headquarters and industry sector to develop a next-generation fighter jet, with development starting in 2025 and introduction by 2035.",
                new DateOnly(2023, 12, 1),
                [Note(Nikkei, "Signed 'last December' (December 2023): only the month is known, so events are dated 2023-12-01."), Reuters]),
            new PartySigned("JP", new DateOnly(2023, 12, 1), null, null),
            new PartySigned("GB", new DateOnly(2023, 12, 1), null, null),
            new PartySigned("IT", new DateOnly(2023, 12, 1), null, null),
            new DeliverablePlanned("next-generation-fighter", "Next-generation fighter jet (stealth, high-tech sensors)", new DateOnly(2035, 12, 31), new DateOnly(2023, 12, 1)),
            new TargetSet("Delivered", new DateOnly(2035, 12, 31), "Programme from 2025; the fighter is to be introduced by 2035.", new DateOnly(2023, 12, 1)),
        ]),
        new("us-japan-defence-industrial-forum",
        [
            new AgreementProposed(
                "us-japan-defence-industrial-forum",
                "U.S.–Japan Forum on Defense Industrial Cooperation, Acquisition and Sustainment",
                "forum",
                ["US", "JP"],
                ["defence-industry", "naval-repair", "aircraft-repair", "missile-production", "supply-chains"],
                "Talks to accelerate defence-industrial cooperation, focused first on repairing US Navy ships in Japan to free US yards for warship construction; possibly aircraft repair, missile production and supply-chain resilience.",
                new DateOnly(2024, 6, 9),
                [Note(Nikkei, "Talks held in Tokyo 'about two weeks ago' (about 2024-06-09)."), Note(Reuters, "Talks began 'this month' (June 2024).")]),
            new NegotiationRoundHeld(new DateOnly(2024, 6, 9), "Tokyo", ["US", "JP"], "Officials met in Tokyo, focusing on naval maintenance in Japan (date approximate: about two weeks before 2024-06-23)."),
        ]),
        new("russia-north-korea-comprehensive-strategic-partnership",
        [
            new AgreementProposed(
                "russia-north-korea-comprehensive-strategic-partnership",
                "Russia–North Korea Comprehensive Strategic Partnership Treaty",
                "treaty",
                ["RU", "KP"],
                ["mutual-defence"],
                "Includes mutual military support in a crisis.",
                new DateOnly(2024, 6, 19),
                [Note(Nikkei, "Reached 'on Wednesday' before the report: 2024-06-19.")]),
            new PartySigned("RU", new DateOnly(2024, 6, 19), null, null),
            new PartySigned("KP", new DateOnly(2024, 6, 19), null, null),
        ]),
        new("japan-us-philippines-defence-cooperation",
        [
            new AgreementProposed(
                "japan-us-philippines-defence-cooperation",
                "Japan–US–Philippines deeper defence cooperation",
                "partnership",
                ["JP", "US", "PH"],
                ["maritime-security"],
                "Japan seeks deeper defence cooperation with the United States and the Philippines to counter China's maritime assertiveness.",
                ReportDate,
                [Note(Nikkei, "No date given; dated to the report (2024-06-23)."), Reuters]),
        ]),
        new("south-china-sea-maritime-exercise-2024-06",
        [
            new AgreementProposed(
                "south-china-sea-maritime-exercise-2024-06",
                "South China Sea maritime exercise, June 2024",
                "exercise",
                ["US", "CA", "PH", "JP"],
                ["maritime-security"],
                "Maritime joint exercise of Japan, the United States, Canada and the Philippines in the South China Sea.",
                new DateOnly(2024, 6, 16),
                [Note(Nikkei, "Held 'last week' (the week of 2024-06-10 to 2024-06-16); dated to its last day."), Reuters]),
        ]),
    ];
}
