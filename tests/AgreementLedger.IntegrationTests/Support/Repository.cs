namespace AgreementLedger.IntegrationTests.Support;

/// <summary>The repository this test assembly was built from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgreementLedger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgreementLedger.sln not found above " + AppContext.BaseDirectory);
    }
}
