using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using AgreementLedger.Agreements;
using AgreementLedger.Infrastructure;
using AgreementLedger.IntegrationTests.Conventions;
using AgreementLedger.IntegrationTests.Support;
using Wolverine.Http;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>
/// The public contract lives in the repository (docs/api.md): it names every event type, problem
/// type and route the service has, keeps the section names source comments cite, and no tracked
/// file points outside the repository. No host needed.
/// </summary>
public sealed partial class ContractDocumentTests
{
    private static readonly string ContractPath = Path.Combine(Repository.Root, "docs", "api.md");

    /// <summary>Routes mapped outside Wolverine's attributes (LedgerComposition.UseLedger, WebUi).</summary>
    private static readonly string[] HostRoutes =
        ["GET /health/live", "GET /health/ready", "GET /health/details", "GET /metrics", "GET /openapi/v1.json", "GET /scalar", "GET /ui/config"];

    /// <summary>The top-level sections of the contract; comments in the code cite them by name.</summary>
    private static readonly string[] Sections =
        ["Conventions", "Lifecycle", "Commands", "Treaty law", "Queries", "Audit", "Transparency log", "Subscriptions", "Webhooks", "Web page", "Operations", "Access"];

    [Fact]
    public void names_every_event_type_the_code_maps()
    {
        var contract = Contract();
        Assert.NotEmpty(EventTypeNames.ByType);
        var missing = EventTypeNames.ByType.Values.Where(name => !contract.Contains($"`{name}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/api.md does not name the event types " + string.Join(", ", missing));
    }

    [Fact]
    public void names_every_problem_type()
    {
        var contract = Contract();
        var codes = typeof(Problems).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.Contains(Problems.Validation, codes);
        Assert.Contains(Problems.Unavailable, codes);
        var missing = codes.Where(code => !contract.Contains($"`{Problems.TypeUri(code)}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/api.md does not name the problem types " + string.Join(", ", missing));
    }

    [Fact]
    public void names_every_route_the_service_maps()
    {
        var contract = Contract();
        var routes = MappedRoutes();
        Assert.Contains("POST /agreements/{id}/suspension", routes);
        Assert.Contains("DELETE /subscriptions/{id}", routes);
        var missing = routes.Concat(HostRoutes).Where(route => !contract.Contains($"`{route}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/api.md does not name the routes " + string.Join(", ", missing));
    }

    [Fact]
    public void keeps_the_section_names_the_code_cites()
    {
        var headings = Contract().Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
        var missing = Sections.Where(s => !headings.Any(h => h == s || h.StartsWith(s + " (", StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "docs/api.md lacks the sections " + string.Join(", ", missing));
    }

    [Fact]
    public void no_tracked_file_points_outside_the_repository()
    {
        // Built at run time so that this file does not hold what it looks for.
        var outside = string.Concat("..", "/", "shared");
        var files = TrackedFiles();
        Assert.Contains("docs/api.md", files);
        var offending = files
            .Where(file => File.Exists(Path.Combine(Repository.Root, file)) && IsText(Path.Combine(Repository.Root, file), out var text)
                && text.Contains(outside, StringComparison.Ordinal))
            .ToList();
        Assert.True(offending.Count == 0, $"these files point outside the repository ({outside}): " + string.Join(", ", offending));
    }

    private static string Contract()
    {
        Assert.True(File.Exists(ContractPath), "the public contract docs/api.md is missing");
        return File.ReadAllText(ContractPath).ReplaceLineEndings("\n");
    }

    /// <summary>"METHOD /template" for every Wolverine endpoint, route constraints dropped and regex alternatives expanded.</summary>
    private static List<string> MappedRoutes()
    {
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        var methods = typeof(Problems).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        foreach (var method in methods)
        {
            foreach (var attribute in method.GetCustomAttributes<WolverineHttpMethodAttribute>())
            {
                foreach (var template in Expand(attribute.Template))
                {
                    routes.Add($"{attribute.HttpMethod} {template}");
                }
            }
        }

        Assert.True(routes.Count > 20, $"only {routes.Count} routes found: the attribute scan is broken");
        return [.. routes];
    }

    private static IEnumerable<string> Expand(string template)
    {
        var alternatives = RegexAlternatives().Match(template);
        if (alternatives.Success)
        {
            return alternatives.Groups["alts"].Value.Split('|')
                .Select(alt => template[..alternatives.Index] + alt + template[(alternatives.Index + alternatives.Length)..])
                .SelectMany(Expand);
        }

        return [Constraint().Replace(template, "{${name}}")];
    }

    /// <summary>The files git tracks, and new ones it would (not ignored).</summary>
    private static List<string> TrackedFiles()
    {
        var git = new ProcessStartInfo("git", ["-C", Repository.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(git)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "git ls-files failed: " + process.StandardError.ReadToEnd());
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static bool IsText(string path, out string text)
    {
        var bytes = File.ReadAllBytes(path);
        text = "";
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
        {
            return false;
        }

        text = System.Text.Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>A route value constrained to literal alternatives: <c>{change:regex(^(a|b)\z)}</c>.</summary>
    [GeneratedRegex(@"\{\w+:regex\(\^\((?<alts>[^()]*)\)\\z\)\}")]
    private static partial Regex RegexAlternatives();

    /// <summary>Any other route constraint: <c>{id:int}</c> is <c>{id}</c>.</summary>
    [GeneratedRegex(@"\{(?<name>\w+):[^}]*\}")]
    private static partial Regex Constraint();
}
