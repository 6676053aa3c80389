using AgreementLedger.Audit.Digests;
using AgreementLedger.Audit.Transparency;
using AgreementLedger.Audit.Verifying;
using AgreementLedger.Infrastructure;

namespace AgreementLedger.Audit;

/// <summary>The audit's services: the verifier, the signed digests and their keeper, the signing key, and the transparency log's checkpoints.</summary>
public static class AuditComposition
{
    /// <param name="builder">The host being built; the key's settings are Ledger:Audit.</param>
    /// <param name="embeddedKeyFile">The signing key's file in the embedded database's private folder (the Development default), or null.</param>
    public static void AddLedgerAudit(this WebApplicationBuilder builder, string? embeddedKeyFile)
    {
        var services = builder.Services;
        services.AddSingleton<LedgerVerifier>();
        services.AddSingleton<LedgerDigests>();
        services.Configure<AuditOptions>(builder.Configuration.GetSection("Ledger:Audit"));
        services.AddSingleton(AuditSigningKey.Load(
                builder.Configuration["Ledger:Audit:SigningKey"],
                builder.Configuration["Ledger:Audit:KeyFile"],
                embeddedKeyFile,
                builder.Environment)
            .WithPreviousPublicKeys(AuditSigningKey.ParsePublicKeys(ConfigurationList.Read(builder.Configuration, "Ledger:Audit:PreviousPublicKeys"))));
        services.AddHostedService<DigestKeeper>();
        services.AddTransparencyLog(builder.Configuration);
        services.AddSingleton<Exporting.ExportCheckpoints>();
    }
}
