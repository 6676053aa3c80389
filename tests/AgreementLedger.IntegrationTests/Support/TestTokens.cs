using AgreementLedger.Infrastructure.Auth;

namespace AgreementLedger.IntegrationTests.Support;

/// <summary>The HS256 key the test hosts are configured with, and tokens signed with it.</summary>
public static class TestTokens
{
    public static readonly string Key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static readonly string Admin = For("test-admin", Roles.Admin);

    public static string For(string subject, params string[] roles) => LedgerAuth.CreateToken(Key, subject, roles, TimeSpan.FromHours(1));

    /// <summary>A token that expires after <paramref name="lifetime"/>.</summary>
    public static string Lasting(TimeSpan lifetime, string subject, params string[] roles) => LedgerAuth.CreateToken(Key, subject, roles, lifetime);

    public static string Bearer(string token) => "Bearer " + token;
}
