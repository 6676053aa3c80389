using JasperFx.CommandLine;

namespace AgreementLedger.Infrastructure.Auth;

public sealed class TokenInput
{
    [Description("Role(s) to grant: recorder, auditor, subscriber, admin (repeat the flag or list several)")]
    public IEnumerable<string> RoleFlag { get; set; } = [];

    [Description("The token's subject, recorded as recordedBy (default: the current user)")]
    public string? SubFlag { get; set; }

    [Description("Hours until it expires (default 8)")]
    public string? HoursFlag { get; set; }
}

[Description("Mint a bearer token signed with Ledger:Auth:SigningKey (for development and operators)", Name = "token")]
public sealed class TokenJasperFxCommand : JasperFxAsyncCommand<TokenInput>
{
    /// <summary>Program.cs runs token before any host exists; this is what help shows and what runs if it gets here.</summary>
    public override async Task<bool> Execute(TokenInput input)
    {
        var args = input.RoleFlag.SelectMany(r => new[] { "--role", r }).ToList();
        if (input.SubFlag is { } sub)
        {
            args.AddRange(["--sub", sub]);
        }

        if (input.HoursFlag is { } hours)
        {
            args.AddRange(["--hours", hours]);
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        return await TokenCommand.RunAsync([.. args], configuration, Console.Out) == 0;
    }
}
