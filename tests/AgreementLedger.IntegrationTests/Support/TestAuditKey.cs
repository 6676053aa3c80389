using System.Security.Cryptography;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The digest signing key (Ledger:Audit:SigningKey) of every host and service process of one test run, as every
/// node of a deployment shares one: a node restarted by a test still verifies the digests it kept before.
/// </summary>
public static class TestAuditKey
{
    public static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The value of Ledger:Audit:SigningKey: base64 DER PKCS#8.</summary>
    public static readonly string Pkcs8 = Convert.ToBase64String(Key.ExportPkcs8PrivateKey());
}
