using AgreementLedger.Audit.Digests;

namespace AgreementLedger.Audit.Transparency;

/// <summary>The transparency log's services, for the composition root (its table is added with the ledger schema's).</summary>
public static class TransparencyServices
{
    public static IServiceCollection AddTransparencyLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => LogOrigin.From(configuration, sp.GetRequiredService<AuditSigningKey>()));
        services.AddSingleton<KeptCosignatures>();
        services.AddSingleton<HistoryDivergence>();
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history", tags: ["ready"]);
        services.AddSingleton<KeptCheckpointSignatures>();
        services.AddSingleton<CheckpointLog>();
        services.AddSingleton(sp => new WitnessCosigner(
            new HttpClient { Timeout = WitnessCosigner.RequestTimeout }, ConfiguredWitness.Read(configuration), sp.GetRequiredService<ILogger<WitnessCosigner>>()));
        services.AddSingleton<CheckpointWitnesses>();
        services.AddSingleton<HistoryWatch>();
        services.AddSingleton<TransparencyCheck>();
        services.AddHostedService<CheckpointPublisher>();
        return services;
    }
}
