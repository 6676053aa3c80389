namespace AgreementLedger.IntegrationTests.Support;

/// <summary>
/// The key webhook secrets are sealed with (Ledger:Webhooks:SecretKey) for every host and service process of one
/// test run, as every node of a deployment shares one: outside Development the service refuses to start without it.
/// </summary>
public static class TestWebhookKey
{
    public static readonly string Base64 = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
