using AgreementLedger.Agreements;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Time.Testing;
using Wolverine.Http;

namespace AgreementLedger.Tests.Support;

/// <summary>
/// What the slice tests share: a fixed clock, agreements folded from their events as Marten folds
/// them, and assertions on what Validate and Decide answer.
/// </summary>
internal static class Slices
{
    public static readonly DateOnly Today = new(2026, 12, 1);

    public static readonly DateOnly ProposedOn = new(2026, 1, 15);

    public static TimeProvider Clock { get; } = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public static AgreementProposed Proposal(params string[] parties) =>
        new("a-treaty", "A treaty", "treaty", parties.Length == 0 ? ["JP", "GB"] : parties, ["trade"], null, ProposedOn, []);

    /// <summary>The agreement after <paramref name="events"/>, recorded in this order as versions 1, 2, ….</summary>
    public static Agreement History(params object[] events)
    {
        var agreement = new Agreement();
        for (var i = 0; i < events.Length; i++)
        {
            agreement = agreement.Fold(i + 1, events[i], $"hash-{i + 1}", new DateTimeOffset(2026, 12, 1, 0, 0, i, TimeSpan.Zero));
        }

        return agreement;
    }

    /// <summary>Proposed by JP and GB, and signed by both: in force.</summary>
    public static Agreement Signed(params object[] more) => History(
        [Proposal(), new PartySigned("JP", ProposedOn, null, null), new PartySigned("GB", ProposedOn, null, null), .. more]);

    public static void Valid(ProblemDetails problem) => Assert.Same(WolverineContinue.NoProblems, problem);

    public static void Invalid(ProblemDetails problem, string member, string reason)
    {
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        var errors = Assert.IsType<HttpValidationProblemDetails>(problem).Errors;
        Assert.Contains(reason, Assert.Contains(member, errors).Single(), StringComparison.Ordinal);
    }

    public static T Accepted<T>(Decision decision) =>
        Assert.IsType<T>(Assert.Single(Assert.IsType<Decision.Accepted>(decision).Events));

    public static void Refused(Decision decision, string member, string reason)
    {
        var refused = Assert.IsType<Decision.Refused>(decision);
        Assert.Equal(member, refused.Member);
        Assert.Equal(reason, refused.Reason);
    }

    public static void Conflict(Decision decision, string detail) =>
        Assert.Equal(detail, Assert.IsType<Decision.Conflicting>(decision).Detail);
}
