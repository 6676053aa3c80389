using System.Globalization;
using AgreementLedger.Infrastructure;

namespace AgreementLedger.Audit.Transparency;

/// <summary>The query parameters and answers the transparency routes share: tree sizes and positions, and the 409 of a tree not there yet.</summary>
public static class TransparencyQuery
{
    /// <summary>Seconds a client waits before asking again for a tree that has not grown that far yet.</summary>
    public const string RetryAfterSeconds = "1";

    /// <summary>A whole number from 0, or null when absent; a present value that is not one is an error naming it.</summary>
    public static bool TryParse(string name, string? text, out long? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = Problems.Result(Problems.Invalid(name, "must be a whole number from 0"));
        return false;
    }

    public static IResult Required(string name) => Problems.Result(Problems.Invalid(name, "is required"));

    /// <summary>409 with <c>Retry-After</c>: what was asked for is beyond the tree as it is now, and will be in it soon.</summary>
    public static IResult NotYet(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Problems.Result(Problems.Create(StatusCodes.Status409Conflict, Problems.LifecycleConflict, "Not yet in the tree", detail));
    }
}
