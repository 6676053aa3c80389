using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace AgreementLedger.Infrastructure;

/// <summary>
/// Checks a JSON body against the shape of the command record it binds to, before binding: every
/// unknown member, wrong type and malformed date is reported by its JSON path, all at once, so that
/// a typo like <c>occuredOn</c> is refused instead of silently defaulted.
/// </summary>
public static class JsonShape
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> Members = new();

    public static Dictionary<string, string[]> Check(JsonElement root, Type type)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            Add(errors, "$", "the body must be a JSON object");
        }
        else
        {
            CheckValue(root, type, "", errors);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>
    /// The same check for an object nested in a body at <paramref name="path"/> whose shape the body's record does
    /// not fix (a correction's replacement, shaped as the command its <paramref name="except"/> member names):
    /// every member but that one is checked against <paramref name="type"/>, by its path in the whole body.
    /// </summary>
    public static Dictionary<string, string[]> CheckNested(JsonElement value, Type type, string path, string except)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (Expect(value, JsonValueKind.Object, path, "must be an object", errors))
        {
            CheckObject(value, type, path, errors, except);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    private static void CheckValue(JsonElement value, Type type, string path, Dictionary<string, List<string>> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (type.IsValueType && underlying is null)
            {
                Add(errors, path, "must not be null");
            }

            return;
        }

        type = underlying ?? type;
        if (type == typeof(string))
        {
            Expect(value, JsonValueKind.String, path, "must be a string", errors);
            if (value.ValueKind == JsonValueKind.String)
            {
                CheckText(value, path, errors);
            }
        }
        else if (type == typeof(DateOnly))
        {
            if (value.ValueKind != JsonValueKind.String
                || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                Add(errors, path, "must be a date in the form YYYY-MM-DD");
            }
        }
        else if (type == typeof(bool))
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Add(errors, path, "must be true or false");
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            var ok = value.ValueKind == JsonValueKind.Number
                && (type == typeof(int) ? value.TryGetInt32(out _) : value.TryGetInt64(out _));
            if (!ok)
            {
                Add(errors, path, "must be a whole number");
            }
        }
        else if (type == typeof(decimal))
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out _))
            {
                Add(errors, path, "must be a number");
            }
        }
        else if (ElementType(type) is { } item)
        {
            if (Expect(value, JsonValueKind.Array, path, "must be an array", errors))
            {
                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    CheckValue(element, item, $"{path}[{index++}]", errors);
                }
            }
        }
        else if (type.IsClass)
        {
            if (Expect(value, JsonValueKind.Object, path, "must be an object", errors))
            {
                CheckObject(value, type, path, errors);
            }
        }
    }

    private static void CheckObject(JsonElement value, Type type, string path, Dictionary<string, List<string>> errors, string? except = null)
    {
        var members = Members.GetOrAdd(type, t => t
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .ToDictionary(
                p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                StringComparer.Ordinal));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? known = null;
        foreach (var property in value.EnumerateObject())
        {
            var memberPath = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (property.Name == except)
            {
                continue;
            }

            if (!seen.Add(property.Name))
            {
                Add(errors, memberPath, "appears more than once");
            }
            else if (members.TryGetValue(property.Name, out var member))
            {
                CheckValue(property.Value, member.PropertyType, memberPath, errors);
            }
            else
            {
                known ??= $"is not a known member (known members: {string.Join(", ", members.Keys.Order(StringComparer.Ordinal))})";
                Add(errors, memberPath, known);
            }
        }
    }

    private static void CheckText(JsonElement value, string path, Dictionary<string, List<string>> errors)
    {
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            Add(errors, path, "must be valid Unicode text");
            return;
        }

        // PostgreSQL cannot store NUL or unpaired surrogates in jsonb.
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                Add(errors, path, "must not contain NUL characters");
                return;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                Add(errors, path, "must be valid Unicode text");
                return;
            }
        }
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && type != typeof(string))
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IList<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static bool Expect(JsonElement value, JsonValueKind kind, string path, string message, Dictionary<string, List<string>> errors)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Add(errors, path, message);
        return false;
    }

    private static void Add(Dictionary<string, List<string>> errors, string path, string message)
    {
        var key = path.Length == 0 ? "$" : path;
        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }

        list.Add(message);
    }
}
