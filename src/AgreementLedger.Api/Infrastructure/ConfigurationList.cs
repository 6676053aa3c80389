namespace AgreementLedger.Infrastructure;

/// <summary>A list setting, given either as a comma-separated value or as indexed children (<c>Key__0</c>, <c>Key__1</c>).</summary>
public static class ConfigurationList
{
    public static IReadOnlyList<string> Read(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var values = section.Value is { Length: > 0 } joined
            ? joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value).OfType<string>();
        return [.. values.Where(v => v.Length > 0)];
    }
}
