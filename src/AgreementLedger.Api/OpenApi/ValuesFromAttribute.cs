using System.Collections;
using System.Reflection;

namespace AgreementLedger.OpenApi;

/// <summary>
/// The values a string member may hold, taken from where the code keeps them (an enum's names, or a
/// static collection such as <c>Conventions.Kinds</c>), so that the OpenAPI schema declares them as an
/// <c>enum</c> without a second copy of the list.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValuesFromAttribute(Type source, string? member = null) : Attribute
{
    public IReadOnlyList<string> Values()
    {
        if (member is null)
        {
            return source.IsEnum ? Enum.GetNames(source) : throw new ArgumentException($"{source.Name} is not an enum; name its member that holds the values.");
        }

        var value = source.GetProperty(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? source.GetField(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new ArgumentException($"{source.Name}.{member} is not a public static member.");
        var values = ((IEnumerable)value).Cast<object>().Select(v => v.ToString()!).ToList();
        // A list keeps its order (the lifecycle's line); a set has none of its own, so it is sorted.
        return value is IList ? values : [.. values.Order(StringComparer.Ordinal)];
    }
}
