using System.Globalization;
using BenchmarkDotNet.Running;

namespace AgreementLedger.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- suite quick|full [--out FILE] [--only W1,W4,T1]
/// dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- --filter '*'
/// dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- verify-million [events]
/// dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- feed-catchup [events] [rounds]
/// dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- scale [events] [agreements] [--out FILE]
/// </summary>
public static class BenchmarkMain
{
    public static async Task Main(string[] args)
    {
        if (args is ["verify-million", .. var rest])
        {
            await VerifyMillion.RunAsync(rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 1_000_000);
            return;
        }

        if (args is ["suite", .. var suiteArgs])
        {
            Environment.ExitCode = await Suite.SuiteCommand.RunAsync(suiteArgs);
            return;
        }

        if (args is ["feed-catchup", .. var feedArgs])
        {
            await FeedCatchUp.RunAsync(
                feedArgs.Length > 0 ? int.Parse(feedArgs[0], CultureInfo.InvariantCulture) : 100_000,
                feedArgs.Length > 1 ? int.Parse(feedArgs[1], CultureInfo.InvariantCulture) : 5);
            return;
        }

        if (args is ["scale", .. var scaleArgs])
        {
            Environment.ExitCode = await ScaleRun.RunAsync(scaleArgs);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
    }
}
