namespace AgreementLedger.Infrastructure;

/// <summary>
/// Refuses (400) a request whose path, route values or query string carry a control character
/// (C0, DEL or C1), decoded: no value the contract defines may hold one (docs/api.md "Conventions"),
/// and a value that did would reach a pattern check, a header or the database unchecked. Runs after
/// authentication, so a caller without access learns nothing from it.
/// </summary>
public sealed class ControlCharacterGuard(RequestDelegate next)
{
    public const string Message = "must not contain control characters";

    public Task InvokeAsync(HttpContext http)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, value) in http.Request.RouteValues)
        {
            if (value is string text && HasControl(text))
            {
                errors[Printable(name)] = [Message];
            }
        }

        if (errors.Count == 0 && HasControl(http.Request.Path.Value))
        {
            errors["path"] = [Message];
        }

        foreach (var (name, values) in http.Request.Query)
        {
            if (HasControl(name) || values.Any(HasControl))
            {
                errors[Printable(name)] = [Message];
            }
        }

        return errors.Count == 0 ? next(http) : Problems.Result(Problems.Invalid(errors)).ExecuteAsync(http);
    }

    public static bool HasControl(string? text) =>
        text is not null && (text.AsSpan().ContainsAnyInRange('\0', '\u001f') || text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'));

    /// <summary>A field name as it can be named in an answer: its control characters shown as \u escapes.</summary>
    public static string Printable(string name) => HasControl(name)
        ? string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))
        : name;
}
