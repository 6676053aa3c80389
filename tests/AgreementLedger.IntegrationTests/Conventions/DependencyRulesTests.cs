using System.Text.RegularExpressions;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// Which folder may use which (read from the sources: every <c>using</c> and qualified name of
/// <c>AgreementLedger.X</c>): the feature folders depend on the kernel (<c>Ledger</c>) and on
/// the modules, not on each other; the kernel and the modules (<c>Infrastructure</c>: hosting, auth,
/// problem details; <c>LocalPostgres</c>: the embedded Development database; <c>OpenApi</c>: the
/// contract document; <c>Progress</c>: long commands' progress; <c>Witness</c>: the witness process) use no feature folder; only the
/// composition root, at the top of the project, knows them all.
/// </summary>
public sealed partial class DependencyRulesTests
{
    private static readonly string[] Features = ["Agreements", "Audit", "Subscriptions", "Ui"];

    /// <summary>The kernel and the folders that serve every feature and know none.</summary>
    private static readonly string[] Modules = ["Ledger", "Infrastructure", "LocalPostgres", "OpenApi", "Progress", "Witness"];

    /// <summary>
    /// Exceptions, each with why: none. (The demo data and the bulk import were one: they are agreement
    /// events admitted by the agreements' rules, so they live in Agreements/Seeding.)
    /// </summary>
    private static readonly (string From, string To, string Why)[] Allowed = [];

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
                _ when Modules.Contains(folder) => (Func<string, bool>)(used => !Features.Contains(used) || Allowed.Any(a => a.From == folder && a.To == used)),
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
        foreach (var folder in Features.Concat(Modules))
        {
            Assert.True(Directory.Exists(Path.Combine(source, folder)), $"src/AgreementLedger.Api/{folder} is named by a rule but does not exist");
        }

        foreach (var feature in new[] { "Agreements", "Audit", "Subscriptions" })
        {
            var uses = Directory.EnumerateFiles(Path.Combine(source, feature), "*.cs", SearchOption.AllDirectories)
                .Any(f => Uses().Matches(File.ReadAllText(f)).Any(m => m.Groups[1].Value == "Ledger"));
            Assert.True(uses, $"{feature} does not use the kernel (AgreementLedger.Ledger)");
        }
    }

    [GeneratedRegex(@"\bAgreementLedger\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Uses();
}
