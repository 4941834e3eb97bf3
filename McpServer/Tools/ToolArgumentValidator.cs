using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tools;

/// <summary>
/// Checks tool arguments against the tool's input schema before the SDK binds them, so a caller learns exactly
/// what is wrong ("'b' is required", "'a' must be a number, got a string") instead of the SDK's bare
/// "An error occurred invoking 'add'". Covers the schema keywords the SDK generates for tool parameters.
/// What passes here binds: an integer written 100.0 or 1e2 is an integer (JSON Schema says so) and is rewritten as
/// 100 for the binder, which reads only plain integers; numbers must be finite (1e400 is not a double); null for an
/// optional parameter means "not given".
/// </summary>
internal static class ToolArgumentValidator
{
    private static readonly ConditionalWeakTable<McpServerTool, CompiledSchema> Compiled = new();

    /// <summary>The problems with a tool call's arguments (empty when there are none); the tool's schema is read once.</summary>
    public static IReadOnlyList<string> Validate(McpServerTool tool, IDictionary<string, JsonElement>? arguments) =>
        Compiled.GetValue(tool, t => new CompiledSchema(t.ProtocolTool.InputSchema)).Validate(arguments);

    public static IReadOnlyList<string> Validate(JsonElement inputSchema, IDictionary<string, JsonElement>? arguments) =>
        new CompiledSchema(inputSchema).Validate(arguments);

    /// <summary>An input schema reduced to the checks it asks for, so a call allocates nothing unless it has a problem.</summary>
    private sealed class CompiledSchema
    {
        private readonly string[] _required = [];
        private readonly Dictionary<string, PropertyRule> _properties = new(StringComparer.Ordinal);

        public CompiledSchema(JsonElement schema)
        {
            if (schema.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
            {
                _required = [.. required.EnumerateArray().Select(name => name.GetString()).OfType<string>()];
            }
            if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        _properties[property.Name] = new PropertyRule(property.Value.Clone());
                    }
                }
            }
        }

        public IReadOnlyList<string> Validate(IDictionary<string, JsonElement>? arguments)
        {
            List<string>? problems = null;
            List<string>? integersToRewrite = null;
            List<string>? nullsToDrop = null;
            foreach (var name in _required)
            {
                if (arguments is null || !arguments.ContainsKey(name))
                {
                    (problems ??= []).Add($"'{name}' is required");
                }
            }
            if (arguments is Dictionary<string, JsonElement> dictionary && _properties.Count > 0)
            {
                // The concrete type the SDK deserializes into: its enumerator is a struct, nothing is allocated.
                foreach (var (name, value) in dictionary)
                {
                    Check(name, value, ref problems, ref integersToRewrite, ref nullsToDrop);
                }
            }
            else if (arguments is not null && _properties.Count > 0)
            {
                foreach (var (name, value) in arguments)
                {
                    Check(name, value, ref problems, ref integersToRewrite, ref nullsToDrop);
                }
            }
            if (problems is null && integersToRewrite is not null)
            {
                foreach (var name in integersToRewrite)
                {
                    arguments![name] = PlainInteger(arguments[name]);
                }
            }
            if (problems is null && nullsToDrop is not null)
            {
                // "Not given": the parameter's default applies, as it would have if the client had left it out.
                foreach (var name in nullsToDrop)
                {
                    arguments!.Remove(name);
                }
            }
            return problems ?? (IReadOnlyList<string>)[];
        }

        private void Check(string name, JsonElement value, ref List<string>? problems, ref List<string>? integersToRewrite, ref List<string>? nullsToDrop)
        {
            if (value.ValueKind == JsonValueKind.Null && Array.IndexOf(_required, name) < 0)
            {
                (nullsToDrop ??= []).Add(name);
            }
            else if (_properties.TryGetValue(name, out var rule) && rule.Check(name, value, ref problems))
            {
                (integersToRewrite ??= []).Add(name);
            }
        }
    }

    private sealed class PropertyRule(JsonElement schema)
    {
        private readonly JsonElement? _type = schema.TryGetProperty("type", out var type) ? type : null;
        private readonly JsonElement? _enum = schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array ? allowed : null;
        private readonly JsonElement? _minimum = schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number ? min : null;
        private readonly JsonElement? _maximum = schema.TryGetProperty("maximum", out var max) && max.ValueKind == JsonValueKind.Number ? max : null;
        private readonly int? _minLength = schema.TryGetProperty("minLength", out var minLength) && minLength.TryGetInt32(out var lo) ? lo : null;
        private readonly int? _maxLength = schema.TryGetProperty("maxLength", out var maxLength) && maxLength.TryGetInt32(out var hi) ? hi : null;

        /// <summary>The schema admits integers but not other numbers: an integral 100.0 must reach the binder as 100.</summary>
        private readonly bool _integer = schema.TryGetProperty("type", out var integerType)
            && (integerType.ValueKind == JsonValueKind.String ? integerType.ValueEquals("integer")
                : integerType.ValueKind == JsonValueKind.Array && integerType.EnumerateArray().Any(t => t.ValueEquals("integer"))
                    && !integerType.EnumerateArray().Any(t => t.ValueEquals("number")));

        /// <summary>Adds what is wrong with <paramref name="value"/> to <paramref name="problems"/>; true when it is an integer the binder cannot read as written (100.0, 1e2).</summary>
        public bool Check(string path, JsonElement value, ref List<string>? problems)
        {
            if (_type is { } type && !MatchesType(value, type))
            {
                (problems ??= []).Add($"'{path}' must be {DescribeType(type)}, got {DescribeValue(value)}");
                return false;
            }
            if (_enum is { } allowed && !IsOneOf(value, allowed))
            {
                (problems ??= []).Add($"'{path}' must be one of {string.Join(", ", allowed.EnumerateArray().Select(o => o.GetRawText()))}");
                return false;
            }
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
                    {
                        (problems ??= []).Add($"'{path}' must be a finite number, got {value.GetRawText()}");
                        return false;
                    }
                    if (_minimum is { } min && number < min.GetDouble())
                    {
                        (problems ??= []).Add($"'{path}' must be at least {min.GetRawText()}");
                    }
                    if (_maximum is { } max && number > max.GetDouble())
                    {
                        (problems ??= []).Add($"'{path}' must be at most {max.GetRawText()}");
                    }
                    break;
                case JsonValueKind.String when _minLength is not null || _maxLength is not null:
                    var length = Utf16Length(value);
                    if (length < _minLength)
                    {
                        (problems ??= []).Add($"'{path}' must have at least {_minLength} characters");
                    }
                    if (length > _maxLength)
                    {
                        (problems ??= []).Add($"'{path}' must have at most {_maxLength} characters, got {length}");
                    }
                    break;
            }
            return _integer && value.ValueKind == JsonValueKind.Number && !value.TryGetInt64(out _);
        }
    }

    /// <summary>A string's length in UTF-16 code units (what maxLength counts here), read from its UTF-8 without a copy when it has no escapes.</summary>
    private static int Utf16Length(JsonElement value)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value);
        var content = raw[1..^1];
        return content.IndexOf((byte)'\\') < 0 ? System.Text.Encoding.UTF8.GetCharCount(content) : value.GetString()!.Length;
    }

    /// <summary>An integral number written with a fraction or an exponent, as the plain integer the binder reads.</summary>
    private static JsonElement PlainInteger(JsonElement value) =>
        JsonElement.Parse(((long)value.GetDecimal()).ToString(CultureInfo.InvariantCulture));

    private static bool MatchesType(JsonElement value, JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => Matches(value, type),
        JsonValueKind.Array => MatchesAny(value, type),
        _ => true,
    };

    // Loops, not LINQ: a lambda capturing a parameter allocates its closure on every call, even when unused.
    private static bool MatchesAny(JsonElement value, JsonElement types)
    {
        foreach (var type in types.EnumerateArray())
        {
            if (Matches(value, type))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsOneOf(JsonElement value, JsonElement allowed)
    {
        foreach (var option in allowed.EnumerateArray())
        {
            if (JsonElement.DeepEquals(option, value))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(JsonElement value, JsonElement type) =>
        type.ValueKind != JsonValueKind.String
        || (type.ValueEquals("string") ? value.ValueKind == JsonValueKind.String
            : type.ValueEquals("number") ? value.ValueKind == JsonValueKind.Number
            : type.ValueEquals("integer") ? Matches(value, "integer")
            : type.ValueEquals("boolean") ? value.ValueKind is JsonValueKind.True or JsonValueKind.False
            : type.ValueEquals("array") ? value.ValueKind == JsonValueKind.Array
            : type.ValueEquals("object") ? value.ValueKind == JsonValueKind.Object
            : !type.ValueEquals("null") || value.ValueKind == JsonValueKind.Null);

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
