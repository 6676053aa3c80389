namespace AgreementLedger.Ledger;

/// <summary>The kernel's services: one each per host, shared by every feature that reads or writes the event table.</summary>
public static class KernelComposition
{
    public static void AddLedgerKernel(this IServiceCollection services, LedgerSchema schema)
    {
        services.AddSingleton(schema);
        services.AddSingleton<LedgerAppend>();
        services.AddSingleton<SafePosition>();
        services.AddSingleton<EventPositions>();
        services.AddSingleton<StoredEventReader>();
        services.AddSingleton<BulkAppend>();
        services.AddSingleton<SnapshotWriter>();
        services.AddSingleton<StreamVersions>();
    }
}
