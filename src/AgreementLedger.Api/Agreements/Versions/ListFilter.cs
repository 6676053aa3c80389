using System.Linq.Expressions;

namespace AgreementLedger.Agreements.Versions;

/// <summary>
/// The list's and the portfolio's filters (docs/api.md "Queries"; all must hold): as LINQ over the stored
/// snapshots (translated to SQL by Marten), compiled for agreements folded in memory, and as SQL over the
/// version rows (<see cref="KnownAgreements"/>).
/// </summary>
public sealed record ListFilter(string? Party, AgreementStatus? Status, string? Area, string? Kind)
{
    public static ListFilter None { get; } = new(null, null, null, null);

    public IReadOnlyList<Expression<Func<Agreement, bool>>> Conditions()
    {
        var conditions = new List<Expression<Func<Agreement, bool>>>();
        if (Party is { } party)
        {
            conditions.Add(a => a.Lifecycle.Parties.Contains(party));
        }

        if (Status is { } wanted)
        {
            conditions.Add(a => a.Lifecycle.Status == wanted);
        }

        if (Area is { } area)
        {
            conditions.Add(a => a.Areas.Contains(area));
        }

        if (Kind is { } kind)
        {
            conditions.Add(a => a.Kind == kind);
        }

        return conditions;
    }

    /// <summary>The conditions, compiled: for agreements folded from their events.</summary>
    public Func<Agreement, bool> Compiled()
    {
        var tests = Conditions().Select(c => c.Compile()).ToList();
        return agreement => tests.All(test => test(agreement));
    }
}
