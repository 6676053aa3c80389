using System.Text.RegularExpressions;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// Which folder may use which (read from the sources: every <c>using</c> and qualified name of
/// <c>AgreementLedger.X</c>): the feature folders depend on the kernel (<c>Ledger</c>) and on
/// <c>Infrastructure</c>, not on each other; the kernel and <c>Infrastructure</c> (hosting, auth,
/// problem details, local PostgreSQL) use no feature folder; only the composition root, at the top
/// of the project, knows them all.
/// </summary>
public sealed partial class DependencyRulesTests
{
    private static readonly string[] Features = ["Agreements", "Audit", "Subscriptions", "Seeding", "Ui"];

    /// <summary>The exception, and why: the demo data are agreement events, which live with the agreements.</summary>
    private static readonly (string From, string To, string Why)[] Allowed =
    [
        ("Seeding", "Agreements", "the demo agreements are written as the agreement events they record"),
    ];

    [Fact]
    public void feature_folders_use_the_kernel_and_infrastructure_not_each_other_and_neither_of_those_uses_a_feature()
    {
        var source = Path.Combine(Repository.Root, "src", "AgreementLedger.Api");
        var broken = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (relative.StartsWith("Internal/Generated/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : "";
            var mayUse = folder switch
            {
                "Infrastructure" or "Ledger" => (Func<string, bool>)(used => !Features.Contains(used) || Allowed.Any(a => a.From == folder && a.To == used)),
                _ when Features.Contains(folder) => used => !Features.Contains(used) || used == folder || Allowed.Any(a => a.From == folder && a.To == used),
                _ => _ => true,
            };

            var text = File.ReadAllText(file);
            foreach (var used in Uses().Matches(text).Select(m => m.Groups[1].Value).Distinct())
            {
                if (!mayUse(used))
                {
                    broken.Add($"{relative} uses AgreementLedger.{used}");
                }
            }
        }

        Assert.True(broken.Count == 0, "Dependency rules broken:\n" + string.Join('\n', broken.Order()));
    }

    [Fact]
    public void the_rules_see_what_they_are_about()
    {
        // A rule that matched nothing would hold vacuously: the kernel is used by every feature folder.
        var source = Path.Combine(Repository.Root, "src", "AgreementLedger.Api");
        foreach (var feature in new[] { "Agreements", "Audit", "Subscriptions", "Seeding" })
        {
            var uses = Directory.EnumerateFiles(Path.Combine(source, feature), "*.cs", SearchOption.AllDirectories)
                .Any(f => Uses().Matches(File.ReadAllText(f)).Any(m => m.Groups[1].Value == "Ledger"));
            Assert.True(uses, $"{feature} does not use the kernel (AgreementLedger.Ledger)");
        }
    }

    [GeneratedRegex(@"\bAgreementLedger\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Uses();
}
