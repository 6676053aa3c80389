using AgreementLedger.IntegrationTests.Support;
using JasperFx.CodeGeneration;
using Microsoft.Extensions.DependencyInjection;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// Outside Development the service loads its pre-generated Wolverine handlers (TypeLoadMode.Static):
/// generated code that no longer matches the endpoints would silently answer 404. This regenerates
/// every handler into a scratch folder and compares it with what is committed.
/// </summary>
[Collection(ConventionsCollection.Name)]
public sealed class GeneratedCodeTests(LedgerHost ledger)
{
    [Fact]
    public void committed_generated_code_matches_the_endpoints()
    {
        var committed = Path.Combine(Repository.Root, "src", "AgreementLedger.Api", "Internal", "Generated");
        var scratch = Path.Combine(Path.GetTempPath(), "agreement-ledger-tests", $"codegen-{Guid.NewGuid():N}");
        var collections = ledger.Host.Services.GetServices<ICodeFileCollection>().ToArray();
        var rules = collections.Select(c => c.Rules).Distinct().ToArray();
        var paths = rules.Select(r => r.GeneratedCodeOutputPath).ToArray();
        try
        {
            foreach (var rule in rules)
            {
                rule.GeneratedCodeOutputPath = scratch;
            }

            new DynamicCodeBuilder(ledger.Host.Services, collections)
            {
                ServiceVariableSource = ledger.Host.Services.GetService<JasperFx.CodeGeneration.Model.IServiceVariableSource>(),
            }.WriteGeneratedCode(_ => { });

            var expected = Files(scratch);
            var actual = Files(committed);
            Assert.True(expected.Count > 20, $"only {expected.Count} generated files");
            var stale = expected.Keys.Union(actual.Keys)
                .Where(name => !expected.TryGetValue(name, out var e) || !actual.TryGetValue(name, out var a) || e != a)
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(stale.Count == 0,
                "Generated code is stale; run `dotnet run --project src/AgreementLedger.Api -- codegen write` and commit. Differs: " + string.Join(", ", stale));
        }
        finally
        {
            for (var i = 0; i < rules.Length; i++)
            {
                rules[i].GeneratedCodeOutputPath = paths[i];
            }

            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f), f => File.ReadAllText(f).ReplaceLineEndings("\n"))
            : [];
}
