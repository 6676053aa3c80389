using AgreementLedger.Infrastructure;
using AgreementLedger.Infrastructure.LocalPostgres;
using JasperFx;

if (args is ["verify-export", .. var exportArgs])
{
    // Offline: checks an export file with no database and no host.
    return await AgreementLedger.Audit.Exporting.ExportVerifier.RunAsync(exportArgs, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);
LedgerDatabaseChoice database;
try
{
    database = await LedgerDatabase.ResolveAsync(builder);
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync("AgreementLedger cannot start: " + e.Message);
    return 2;
}

builder.AddLedger(database);

var app = builder.Build();
app.UseLedger();
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
