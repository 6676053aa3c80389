using System.Security.Claims;

namespace AgreementLedger.Infrastructure;

/// <summary>Who is recording: the token's sub (or name); "local" in the open development mode.</summary>
public static class Principal
{
    public const string Local = "local";

    public static string NameOf(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return Local;
        }

        return user.FindFirst("sub")?.Value
            ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? user.FindFirst("name")?.Value
            ?? user.Identity.Name
            ?? Local;
    }
}
