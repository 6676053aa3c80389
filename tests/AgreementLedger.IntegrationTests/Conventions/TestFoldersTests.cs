using System.Text.RegularExpressions;
using AgreementLedger.IntegrationTests.Support;

namespace AgreementLedger.IntegrationTests.Conventions;

/// <summary>
/// The test projects mirror src, so that the tests of a piece of code are found from its folder: a test
/// class lives in the folder of the src folder whose code it exercises (<c>X/Y</c> for
/// <c>src/AgreementLedger.Api/X/Y</c>, <c>Client</c> for <c>src/AgreementLedger.Client</c>), and its
/// namespace is that folder. The few folders that mirror nothing are listed, each with what it holds.
/// </summary>
public sealed partial class TestFoldersTests
{
    private static readonly string[] Projects = ["AgreementLedger.Tests", "AgreementLedger.IntegrationTests"];

    /// <summary>The folders that are not a mirror, and why (any folder below one of them is theirs too).</summary>
    private static readonly (string Folder, string Holds)[] NotMirrors =
    [
        ("Support", "test-only helpers: the hosts, the test database, tokens and keys, the webhook receiver, the browser"),
        ("Conventions", "the contract's conventions checked over every endpoint, and the code's own rules (dependencies, generated code, these folders)"),
        ("Operations", "the service run as an operator runs it: command line, start-up refusals, deployment files, README commands, outages, key rotation, docs/api.md"),
        ("MultiNode", "several nodes on one database: failover, crashes, slow stream clients"),
    ];

    [Fact]
    public void every_test_folder_names_a_src_folder_or_is_listed_as_not_a_mirror()
    {
        var wrong = Folders()
            .Where(f => f.Folder.Length > 0 && !NotMirrors.Any(n => IsWithin(f.Folder, n.Folder)) && !Mirrors(f.Folder))
            .Select(f => $"{f.Project}/{f.Folder} names no folder of src/AgreementLedger.Api (nor a project src/AgreementLedger.*)")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void every_test_file_is_in_the_namespace_of_its_folder()
    {
        var wrong = new List<string>();
        foreach (var (project, folder) in Folders())
        {
            var expected = folder.Length == 0 ? project : project + "." + folder.Replace('/', '.');
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests", project, folder), "*.cs", SearchOption.TopDirectoryOnly))
            {
                var declared = Namespace().Match(File.ReadAllText(file));
                if (!declared.Success || declared.Groups[1].Value != expected)
                {
                    wrong.Add($"{Path.GetRelativePath(Repository.Root, file)}: namespace {(declared.Success ? declared.Groups[1].Value : "(none)")}, not {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void the_listed_folders_exist()
    {
        // A listed folder that no longer exists would let a new one of that name pass unexamined.
        var folders = Folders().Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);
        Assert.All(NotMirrors, n => Assert.Contains(n.Folder, folders));
    }

    /// <summary>Every folder of the test projects that holds a .cs file, relative to its project ("" for the project's own).</summary>
    private static IEnumerable<(string Project, string Folder)> Folders() =>
        from project in Projects
        let root = Path.Combine(Repository.Root, "tests", project)
        from file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
        let folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/')
        where !IsWithin(folder, "bin") && !IsWithin(folder, "obj")
        select (project, folder == "." ? "" : folder) into found
        group found by found into distinct
        select distinct.Key;

    private static bool Mirrors(string folder)
    {
        var src = Path.Combine(Repository.Root, "src");
        var first = folder.Split('/')[0];
        var project = Path.Combine(src, "AgreementLedger." + first);
        return Directory.Exists(Path.Combine(src, "AgreementLedger.Api", folder))
            || (Directory.Exists(project) && Directory.Exists(Path.Combine(project, folder[first.Length..].TrimStart('/'))));
    }

    private static bool IsWithin(string folder, string ancestor) =>
        folder == ancestor || folder.StartsWith(ancestor + "/", StringComparison.Ordinal);

    [GeneratedRegex(@"^namespace\s+([A-Za-z0-9_.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
