using BenchmarkDotNet.Running;

namespace AgreementLedger.Benchmarks;

/// <summary>dotnet run -c Release --project tests/AgreementLedger.Benchmarks -- --filter '*'</summary>
public static class BenchmarkMain
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
}
