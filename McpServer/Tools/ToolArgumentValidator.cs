using System.Globalization;
using System.Text.Json;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Checks tool arguments against the tool's input schema before the SDK binds them, so a caller learns exactly
/// what is wrong ("'b' is required", "'a' must be a number, got a string") instead of the SDK's bare
/// "An error occurred invoking 'add'". Covers the schema keywords the SDK generates for tool parameters.
/// </summary>
internal static class ToolArgumentValidator
{
    public static IReadOnlyList<string> Validate(JsonElement inputSchema, IDictionary<string, JsonElement>? arguments)
    {
        var problems = new List<string>();
        if (inputSchema.ValueKind != JsonValueKind.Object)
        {
            return problems;
        }

        if (inputSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.GetString() is { } n && (arguments is null || !arguments.ContainsKey(n)))
                {
                    problems.Add($"'{n}' is required");
                }
            }
        }

        if (arguments is null || !inputSchema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return problems;
        }
        foreach (var (name, value) in arguments)
        {
            if (properties.TryGetProperty(name, out var schema))
            {
                CheckValue(name, value, schema, problems);
            }
        }
        return problems;
    }

    private static void CheckValue(string path, JsonElement value, JsonElement schema, List<string> problems)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (schema.TryGetProperty("type", out var type) && !MatchesType(value, type))
        {
            problems.Add($"'{path}' must be {DescribeType(type)}, got {DescribeValue(value)}");
            return;
        }
        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array &&
            !allowed.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
        {
            problems.Add($"'{path}' must be one of {string.Join(", ", allowed.EnumerateArray().Select(o => o.GetRawText()))}");
            return;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                var number = value.GetDouble();
                if (schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && number < min.GetDouble())
                {
                    problems.Add($"'{path}' must be at least {min.GetRawText()}");
                }
                if (schema.TryGetProperty("maximum", out var max) && max.ValueKind == JsonValueKind.Number && number > max.GetDouble())
                {
                    problems.Add($"'{path}' must be at most {max.GetRawText()}");
                }
                break;
            case JsonValueKind.String:
                var length = value.GetString()!.Length;
                if (schema.TryGetProperty("minLength", out var minLength) && minLength.TryGetInt32(out var lo) && length < lo)
                {
                    problems.Add($"'{path}' must have at least {lo} characters");
                }
                if (schema.TryGetProperty("maxLength", out var maxLength) && maxLength.TryGetInt32(out var hi) && length > hi)
                {
                    problems.Add($"'{path}' must have at most {hi} characters, got {length}");
                }
                break;
        }
    }

    private static bool MatchesType(JsonElement value, JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => Matches(value, type.GetString()),
        JsonValueKind.Array => type.EnumerateArray().Any(t => Matches(value, t.GetString())),
        _ => true,
    };

    private static bool Matches(JsonElement value, string? type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d)
                     && d >= long.MinValue && d <= long.MaxValue,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string DescribeType(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => Article(t.GetString())))
        : Article(type.GetString());

    private static string Article(string? type) => type switch
    {
        "integer" => "an integer",
        "object" => "an object",
        "array" => "an array",
        null => "a value",
        _ => "a " + type,
    };

    private static string DescribeValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"a string ({Truncate(value.GetString()!)})",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string Truncate(string s) => s.Length <= 40 ? $"\"{s}\"" : $"\"{s[..40]}…\"";
}
