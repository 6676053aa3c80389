using System.Security.Cryptography;

namespace AgreementLedger.Audit;

/// <summary>
/// The arguments of an offline check (<c>verify-export</c>, <c>verify-proof</c>), read before any host
/// exists: flags given as <c>FLAG VALUE</c> or <c>FLAG=VALUE</c>, each repeatable, and the rest
/// positional. A flag it does not know, or one without its value, makes the arguments unusable: a
/// misspelt <c>--public-key</c> must never pass silently as a check made with no key.
/// </summary>
public sealed class OfflineArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private OfflineArguments()
    {
    }

    public bool Usable { get; private set; } = true;

    public List<string> Positional { get; } = [];

    /// <summary>Reads <paramref name="args"/> for the <paramref name="flags"/> given (each with an optional short alias).</summary>
    public static OfflineArguments Parse(string[] args, params (string Flag, string? Alias)[] flags)
    {
        var parsed = new OfflineArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var match = flags.FirstOrDefault(f => arg == f.Flag || (f.Alias is not null && arg == f.Alias) || arg.StartsWith(f.Flag + "=", StringComparison.Ordinal));
            if (match.Flag is null)
            {
                if (arg.StartsWith("--", StringComparison.Ordinal))
                {
                    parsed.Usable = false;
                }
                else
                {
                    parsed.Positional.Add(arg);
                }

                continue;
            }

            string value;
            if (arg.StartsWith(match.Flag + "=", StringComparison.Ordinal))
            {
                value = arg[(match.Flag.Length + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                parsed.Usable = false;
                continue;
            }

            if (!parsed._values.TryGetValue(match.Flag, out var values))
            {
                parsed._values[match.Flag] = values = [];
            }

            values.Add(value);
        }

        return parsed;
    }

    /// <summary>Every value given for <paramref name="flag"/>, in order.</summary>
    public IReadOnlyList<string> Values(string flag) => _values.TryGetValue(flag, out var values) ? values : [];

    /// <summary>The one value of <paramref name="flag"/>, or null; given twice, the arguments are unusable.</summary>
    public string? Single(string flag)
    {
        var values = Values(flag);
        Usable &= values.Count <= 1;
        return values.Count == 1 ? values[0] : null;
    }

    /// <summary>
    /// The ECDSA public keys in the PEM files given for <paramref name="flag"/>, as DER SubjectPublicKeyInfo,
    /// or why one could not be read.
    /// </summary>
    public async Task<(List<byte[]> Keys, string? Error)> ReadPemKeysAsync(string flag)
    {
        var keys = new List<byte[]>();
        foreach (var file in Values(flag))
        {
            try
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportFromPem(await File.ReadAllTextAsync(file));
                keys.Add(ecdsa.ExportSubjectPublicKeyInfo());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                return (keys, $"{flag} {file}: not a readable PEM public key ({e.Message})");
            }
        }

        return (keys, null);
    }
}
