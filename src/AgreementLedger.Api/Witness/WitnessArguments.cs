using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>The witness command's arguments: <c>--state-dir DIR</c> (required) and <c>--log-key BASE64_SPKI</c> (repeatable).</summary>
public sealed record WitnessArguments(string StateDirectory, IReadOnlyList<byte[]> LogKeys)
{
    public static WitnessArguments Parse(IReadOnlyList<string> args)
    {
        string? directory = null;
        var keys = new List<byte[]>();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--state-dir" when value is not null:
                    directory = value;
                    i++;
                    break;
                case "--log-key" when value is not null:
                    if (!Es256.TryParsePublicKey(value, out var key))
                    {
                        throw new WitnessRefusalException($"--log-key '{value}' is not the base64 DER SubjectPublicKeyInfo of an ECDSA P-256 key (the publicKey of GET /audit/public-key). {WitnessCommand.Usage}");
                    }

                    keys.Add(key);
                    i++;
                    break;
                default:
                    throw new WitnessRefusalException($"'{args[i]}' is not understood here. {WitnessCommand.Usage}");
            }
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new WitnessRefusalException("--state-dir is required: the directory where the witness keeps its key and what it cosigned. " + WitnessCommand.Usage);
        }

        return new WitnessArguments(Path.GetFullPath(directory), keys);
    }
}
