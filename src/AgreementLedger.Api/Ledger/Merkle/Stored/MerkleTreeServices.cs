namespace AgreementLedger.Ledger.Merkle.Stored;

/// <summary>The stored tree's services, for the composition root (its table is added with the ledger schema's).</summary>
public static class MerkleTreeServices
{
    public static IServiceCollection AddMerkleTree(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MerkleTreeOptions>(configuration.GetSection("Ledger:Audit"));
        services.AddSingleton<MerkleStore>();
        services.AddSingleton<MerkleExtender>();
        services.AddSingleton<MerkleTreeCheck>();
        services.AddHostedService<MerkleTreeKeeper>();
        return services;
    }
}
