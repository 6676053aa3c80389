namespace AgreementLedger.Agreements.Seeding;

/// <summary>The demo data and the bulk import under it.</summary>
public static class SeedingComposition
{
    /// <summary>Registers the loader; with the embedded database, it also seeds an empty ledger at start (Ledger:Seed:OnFirstStart, true by default).</summary>
    public static void AddLedgerSeeding(this WebApplicationBuilder builder, bool embeddedDatabase)
    {
        var services = builder.Services;
        services.AddSingleton<BulkImporter>();
        services.AddSingleton<DemoDataLoader>();
        if (embeddedDatabase && builder.Configuration.GetValue("Ledger:Seed:OnFirstStart", true))
        {
            services.AddHostedService<DemoDataOnFirstStart>();
        }
    }
}
