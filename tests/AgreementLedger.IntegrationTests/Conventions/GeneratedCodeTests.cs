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

    /// <summary>
    /// A command's body is parsed once (issue 17): every endpoint that accepts a body binds it from
    /// the document the shape check parsed, and no handler reads the body text again.
    /// </summary>
    [Fact]
    public void every_command_binds_its_body_from_the_one_parse()
    {
        var commands = ledger.Host.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType is not null)
            .ToList();
        Assert.True(commands.Count >= 17, $"only {commands.Count} endpoints accept a body");

        var handlers = Files(Path.Combine(Repository.Root, "src", "AgreementLedger.Api", "Internal", "Generated"));
        Assert.DoesNotContain(handlers, h => h.Value.Contains("ReadJsonAsync", StringComparison.Ordinal));
        var binding = handlers.Where(h => h.Value.Contains("AgreementLedger.Infrastructure.RequestBody.Bind<", StringComparison.Ordinal)).Select(h => h.Key).ToList();
        Assert.True(binding.Count == commands.Count,
            $"{commands.Count} endpoints accept a body, {binding.Count} handlers bind one from RequestBody: {string.Join(", ", binding)}");
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f), f => File.ReadAllText(f).ReplaceLineEndings("\n"))
            : [];
}
