using AgreementLedger;
using AgreementLedger.Infrastructure;
using AgreementLedger.LocalPostgres;
using JasperFx;

if (args is ["verify-export", .. var exportArgs])
{
    // Offline: checks an export file with no database and no host.
    return await AgreementLedger.Audit.Exporting.VerifyExportCommandLine.RunAsync(exportArgs, Console.Out);
}

if (args is ["witness", .. var witnessArgs])
{
    // A witness of the transparency log: its own key and state, no database, no ledger host (docs/api.md, "Witnesses").
    return await AgreementLedger.Witness.WitnessCommand.RunAsync(witnessArgs, Console.Out, Console.Error);
}

if (args is ["verify-proof", .. var proofArgs])
{
    // Offline: checks one event's inclusion proof against a checkpoint with only public keys.
    return await AgreementLedger.Audit.Transparency.VerifyProofCommandLine.RunAsync(proofArgs, Console.Out);
}

// Commands of Marten, Wolverine and JasperFx that would damage the ledger are refused or routed (OperatorCommandGuard).
switch (OperatorCommandGuard.Route(args))
{
    case { Refusal: { } refusal }:
        await Console.Error.WriteLineAsync($"{args[0]}: {refusal}");
        return 2;
    case { Args: { } routed } when routed != args:
        await Console.Error.WriteLineAsync($"projections rebuild: running '{string.Join(' ', routed)}', the rebuild that is safe while the service runs.");
        args = routed;
        break;
}

AgreementLedger.Infrastructure.QuietStart.SilenceCommandDiscovery();
var builder = WebApplication.CreateBuilder(args);
if (args is ["export", ..])
{
    // Without --out the export is standard output: `export > file` must hold the export alone.
    AgreementLedger.Infrastructure.QuietStart.ResultOnStandardOutput(builder);
}
if (args is ["token", .. var tokenArgs])
{
    // Mints a development token for the configured HS256 key.
    return await AgreementLedger.Infrastructure.Auth.TokenCommand.RunAsync(tokenArgs, builder.Configuration, Console.Out);
}

// Help needs no database, configuration or key: it only lists and describes the commands.
var helpOnly = args is ["help" or "?" or "--help" or "-h", ..];
if (!helpOnly)
{
    AgreementLedger.LocalPostgres.LedgerDatabaseChoice? database = null;
    try
    {
        database = await LedgerDatabase.ResolveAsync(builder);
        builder.AddLedger(database);
    }
    catch (StartupException e)
    {
        // A node refused for its configuration leaves nothing running: the embedded cluster it started stops again.
        if (database?.Cluster is { } cluster)
        {
            await cluster.StopAsync();
        }

        await Console.Error.WriteLineAsync("AgreementLedger cannot start: " + e.Message);
        return 2;
    }
}

var app = builder.Build();
if (!helpOnly)
{
    app.UseLedger();
}

// A refusal found only once the server has started (open mode listening beyond loopback) stops the host; say why, exit 2.
var startupRefusal = app.Services.GetService<StartupRefusal>();
var embedded = app.Services.GetService<AgreementLedger.LocalPostgres.LocalPostgresCluster>();
var exit = await app.RunJasperFxCommands(args);

// A command that never starts the host (codegen, db-patch, projections list, …) would otherwise
// leave the embedded cluster it started running; after `run` it has been stopped already.
if (embedded is not null)
{
    await embedded.StopAsync();
}

if (startupRefusal?.Reason is { } reason)
{
    await Console.Error.WriteLineAsync("AgreementLedger cannot start: " + reason);
    return 2;
}

return exit;

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
