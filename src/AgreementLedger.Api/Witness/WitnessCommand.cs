using System.Text.Json;
using System.Text.Json.Serialization;
using AgreementLedger.Infrastructure;
using AgreementLedger.Ledger.Signing;

namespace AgreementLedger.Witness;

/// <summary>
/// <c>witness --state-dir DIR [--log-key BASE64_SPKI]…</c>: a witness of the transparency log (docs/api.md,
/// "Witnesses"), a process of its own with its own key and state and no database, listening on ASPNETCORE_URLS.
/// A plain ASP.NET Core host: no Marten, no Wolverine, nothing of the ledger's composition.
/// </summary>
public static partial class WitnessCommand
{
    public const string Usage = "usage: witness --state-dir DIR [--log-key BASE64_SPKI]…";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        WitnessArguments arguments;
        WitnessKey key;
        WitnessState state;
        WitnessStateFile file;
        FileStream held;
        try
        {
            arguments = WitnessArguments.Parse(args);
            held = StateDirectory.Hold(arguments.StateDirectory);
            key = WitnessKey.LoadOrCreate(arguments.StateDirectory);
            file = new WitnessStateFile(arguments.StateDirectory);
            state = file.Load();
            if (state.Logs.FirstOrDefault(log => log.Cosignature.KeyId != key.KeyId) is { } other)
            {
                // A key and a state from different backups: what it serves would not verify with its public key.
                throw new WitnessRefusalException(
                    $"The state '{file.Path}' holds cosignatures of the key {other.Cosignature.KeyId}, but {WitnessKey.FileName} is the key {key.KeyId}: " +
                    "restore the key and the state from the same backup of the state directory.");
            }
        }
        catch (WitnessRefusalException refusal)
        {
            await error.WriteLineAsync("witness: " + refusal.Message);
            return 2;
        }

        await using var _ = held;
        using var __ = key;
        var builder = WebApplication.CreateBuilder();
        var name = builder.Configuration["Witness:Name"] is { Length: > 0 } configured ? configured : "witness/" + key.KeyId;
        builder.Services.AddSingleton(new CheckpointWitness(key, new LogKeys(arguments.LogKeys), file, state, name, TimeProvider.System));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.TypeFrameworkProblem);
        builder.Services.AddExceptionHandler<WitnessProblems.Exceptions>();
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<WitnessOpenApi>();
            o.AddSchemaTransformer<OpenApi.HonestSchemaTransformer>();
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // The service's strict body check: at most 1 MiB (413), well-formed JSON, no unknown or mistyped member (400).
        app.UseMiddleware<StrictJsonBodyMiddleware>();
        WitnessRoutes.Map(app);
        app.MapOpenApi();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : "(none)";
            var trust = arguments.LogKeys.Count > 0
                ? "log keys " + string.Join(", ", arguments.LogKeys.Select(Es256.KeyIdOf))
                : state.PinnedKey is { } pinned ? $"log key {Es256.KeyIdOf(Convert.FromBase64String(pinned))} (pinned on first use)"
                : "the key of the first submission whose signature verifies";
            output.WriteLine($"Witness {name} (key {key.KeyId}, {key.Source}) serving at {addresses}; state in {file.Path}; trusting {trust}.");
            output.Flush();
        });

        await app.RunAsync();
        return 0;
    }
}
