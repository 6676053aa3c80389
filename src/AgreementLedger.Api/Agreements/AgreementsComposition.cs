using AgreementLedger.Agreements.Rebuilding;

namespace AgreementLedger.Agreements;

/// <summary>
/// The agreements' own services (the slices themselves are Wolverine endpoints, found by type), and the
/// catalogue of their event types, which the kernel, the store and the readers are given.
/// </summary>
public static class AgreementsComposition
{
    public static void AddLedgerAgreements(this IServiceCollection services)
    {
        services.AddSingleton(EventTypeNames.Catalogue);
        services.AddSingleton<StoredEvents>();
        services.AddSingleton<Checkpoints.VersionCheckpoints>();
        services.AddSingleton<Checkpoints.CheckpointedFold>();
        services.AddSingleton<SnapshotRebuilder>();
        services.AddSingleton<Versions.KnownAgreements>();
        services.AddSingleton<Versions.VersionRowsBackfill>();
        services.AddSingleton(provider => new AgreementStates(
            provider.GetRequiredService<IConfiguration>().GetValue(AgreementStates.Setting, AgreementStates.DefaultCapacity)));
        services.AddSingleton<AgreementStatesWarmUp>();
    }
}
