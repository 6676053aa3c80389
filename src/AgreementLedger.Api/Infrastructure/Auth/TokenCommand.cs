using System.Globalization;

namespace AgreementLedger.Infrastructure.Auth;

/// <summary><c>token --role auditor [recorder …] --sub name [--hours 8]</c>: prints a bearer token for the configured key.</summary>
public static class TokenCommand
{
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output)
    {
        var key = configuration["Ledger:Auth:SigningKey"];
        var roles = Values(args, "--role").ToList();
        var subject = Values(args, "--sub").LastOrDefault() ?? Environment.UserName;
        var hours = double.TryParse(Values(args, "--hours").LastOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var h) ? h : 8;
        if (string.IsNullOrWhiteSpace(key) || roles.Count == 0 || roles.Any(r => !Roles.All.Contains(r)))
        {
            await output.WriteLineAsync("usage: token --role recorder|auditor|subscriber|admin [--role …] [--sub NAME] [--hours 8]");
            await output.WriteLineAsync("       signs with Ledger:Auth:SigningKey (env Ledger__Auth__SigningKey), which must be set.");
            return 2;
        }

        await output.WriteLineAsync(LedgerAuth.CreateToken(key, subject, roles, TimeSpan.FromHours(hours)));
        return 0;
    }

    /// <summary>The values after each occurrence of <paramref name="flag"/>, up to the next flag: <c>--role a --role b</c> or <c>--role a b</c>.</summary>
    private static IEnumerable<string> Values(string[] args, string flag)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != flag)
            {
                continue;
            }

            for (var j = i + 1; j < args.Length && !args[j].StartsWith("--", StringComparison.Ordinal); j++)
            {
                yield return args[j];
            }
        }
    }
}
