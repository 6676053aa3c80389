using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace AgreementLedger.Infrastructure;

/// <summary>Collects every field error of a command so that one 400 names them all.</summary>
public sealed class Checks
{
    public const int MaxText = 2_000;
    public const int MaxLongText = 10_000;
    public const int MaxItems = 200;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Ok => _errors.Count == 0;

    public Checks Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public Checks Text(string field, string? value, bool required = false, int max = MaxText)
    {
        if (value is null)
        {
            return required ? Add(field, "is required") : this;
        }

        if (required && string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "must not be blank");
        }

        return value.Length > max ? Add(field, $"must be at most {max} characters") : this;
    }

    public Checks Pattern(string field, string? value, Regex pattern, string message, bool required = false)
    {
        if (value is null)
        {
            return required ? Add(field, "is required") : this;
        }

        return pattern.IsMatch(value) ? this : Add(field, message);
    }

    public Checks Required<T>(string field, T? value)
        where T : struct =>
        value is null ? Add(field, "is required") : this;

    public Checks OneOf(string field, string? value, IReadOnlySet<string> allowed, bool required = false, string? describe = null)
    {
        if (value is null)
        {
            return required ? Add(field, "is required") : this;
        }

        return allowed.Contains(value)
            ? this
            : Add(field, "must be " + (describe ?? "one of " + string.Join(", ", allowed.Order(StringComparer.Ordinal))));
    }

    /// <summary>A page size from the query: the default when absent, else a whole number from 1 to <paramref name="max"/>.</summary>
    public int Limit(string? text, int defaultLimit, int max)
    {
        if (text is null)
        {
            return defaultLimit;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit is >= 1 && limit <= max)
        {
            return limit;
        }

        Add("limit", $"must be a whole number from 1 to {max}");
        return defaultLimit;
    }

    public Checks NotInFuture(string field, DateOnly? date, DateOnly today) =>
        date > today ? Add(field, $"must not be in the future (today is {today:yyyy-MM-dd} UTC)") : this;

    public Checks Items<T>(string field, IReadOnlyList<T>? items, bool required = false, int min = 0)
    {
        if (items is null)
        {
            return required ? Add(field, "is required") : this;
        }

        if (items.Count < min)
        {
            return Add(field, $"must have at least {min} item{(min == 1 ? "" : "s")}");
        }

        return items.Count > MaxItems ? Add(field, $"must have at most {MaxItems} items") : this;
    }

    /// <summary>Each code matches <paramref name="pattern"/> and appears once (named by its index: <c>parties[1]</c>).</summary>
    public Checks Codes(string field, IReadOnlyList<string>? codes, System.Text.RegularExpressions.Regex pattern, string rule)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (codes?.Count ?? 0); i++)
        {
            var code = codes![i];
            if (code is null)
            {
                Add($"{field}[{i}]", "must not be null");
            }
            else if (!pattern.IsMatch(code))
            {
                Add($"{field}[{i}]", rule);
            }
            else if (!seen.Add(code))
            {
                Add($"{field}[{i}]", $"'{code}' appears more than once");
            }
        }

        return this;
    }

    /// <summary>Wolverine's continue marker when every check passed, else a 400 naming each field.</summary>
    public ProblemDetails Result() => Ok
        ? WolverineContinue.NoProblems
        : Problems.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
