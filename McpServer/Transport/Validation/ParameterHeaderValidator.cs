using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>
/// SEP-2243 custom headers on 2026-07-28 <c>tools/call</c> requests: a tool parameter annotated with
/// <c>x-mcp-header: Name</c> (the SDK's <see cref="McpHeaderAttribute"/>) travels in an <c>Mcp-Param-Name</c> header too,
/// so proxies can route on it. A proxy must be able to trust that header, so it has to agree with the body: present
/// exactly when the argument is (and not null), valid header characters, valid <c>=?base64?…?=</c> when wrapped,
/// and the same value (integers compared as numbers within ±(2^53−1), booleans as <c>true</c>/<c>false</c>).
/// </summary>
internal static class ParameterHeaderValidator
{
    public const string HeaderPrefix = "Mcp-Param-";
    private const long MaxSafeInteger = 9_007_199_254_740_991;

    private static readonly SearchValues<char> HeaderValueChars =
        SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Each tool's annotated parameters, read once from its input schema (most tools have none).</summary>
    private static readonly ConditionalWeakTable<McpServerTool, HeaderParameter[]> Annotated = new();

    /// <summary>Null when the request may proceed, else why its Mcp-Param-* headers disagree with its body.</summary>
    public static string? Validate(HttpRequest request, JsonRpcMessage message, McpServerPrimitiveCollection<McpServerTool>? tools)
    {
        if (message is not JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: JsonObject parameters } || tools is null ||
            parameters["name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? name) ||
            !tools.TryGetPrimitive(name, out var tool))
        {
            return null;
        }
        var annotated = Annotated.GetValue(tool, static tool => Find(tool.ProtocolTool.InputSchema));
        foreach (var parameter in annotated)
        {
            if (Check(request, parameter, parameters["arguments"]) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? Check(HttpRequest request, HeaderParameter parameter, JsonNode? arguments)
    {
        var header = HeaderPrefix + parameter.HeaderName;
        var value = arguments;
        foreach (var step in parameter.Path)
        {
            value = value is JsonObject container ? container[step] : null;
        }
        var argument = string.Join('.', parameter.Path);
        var sent = request.Headers.TryGetValue(header, out var values) ? values : StringValues.Empty;
        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            return sent.Count == 0 ? null : $"The {header} header is present, but the argument '{argument}' it mirrors is absent or null.";
        }
        if (sent.Count == 0)
        {
            return $"The {header} header is required: the argument '{argument}' is annotated with x-mcp-header and has a value.";
        }
        if (sent.Count > 1)
        {
            return $"The {header} header must be sent once.";
        }
        var raw = sent.ToString().Trim(' ', '\t');
        if (raw.AsSpan().IndexOfAnyExcept(HeaderValueChars) >= 0)
        {
            return $"The {header} header contains characters not allowed in a header; Base64-encode it as =?base64?…?=.";
        }
        if (McpHeaderEncoder.DecodeValue(raw) is not { } decoded)
        {
            return $"The {header} header has an invalid Base64 encoding.";
        }
        return Matches(decoded, value, parameter.Type) switch
        {
            Match.Yes => null,
            Match.OutOfRange => $"The {header} header and the argument '{argument}' must be integers within ±{MaxSafeInteger}.",
            _ => $"The {header} header '{raw}' does not match the argument '{argument}'.",
        };
    }

    private static Match Matches(string header, JsonNode value, string? type)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return string.Equals(header, value.GetValue<string>(), StringComparison.Ordinal) ? Match.Yes : Match.No;
            case JsonValueKind.True or JsonValueKind.False:
                return string.Equals(header, value.GetValueKind() == JsonValueKind.True ? "true" : "false", StringComparison.Ordinal) ? Match.Yes : Match.No;
            case JsonValueKind.Number when type == "integer":
                var inHeader = Integer(header);
                var inBody = Integer(value.ToJsonString());
                if (inHeader is null || inBody is null)
                {
                    return Match.No;
                }
                if (Math.Abs(inHeader.Value) > MaxSafeInteger || Math.Abs(inBody.Value) > MaxSafeInteger)
                {
                    return Match.OutOfRange;
                }
                return inHeader == inBody ? Match.Yes : Match.No;
            default:
                return string.Equals(header, McpHeaderEncoder.ConvertToHeaderValue(value), StringComparison.Ordinal) ? Match.Yes : Match.No;
        }
    }

    /// <summary>An integral number ("42", "42.0", "4.2e1"), as a double so that out-of-range values can be told apart.</summary>
    private static double? Integer(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && Math.Floor(number) == number
            ? number
            : null;

    private static HeaderParameter[] Find(JsonElement schema)
    {
        var found = new List<HeaderParameter>();
        Collect(schema, [], found);
        return [.. found];
    }

    private static void Collect(JsonElement schema, string[] path, List<HeaderParameter> found)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var property in properties.EnumerateObject())
        {
            string[] at = [.. path, property.Name];
            if (property.Value.ValueKind == JsonValueKind.Object &&
                property.Value.TryGetProperty("x-mcp-header", out var header) && header.GetString() is { Length: > 0 } headerName)
            {
                var type = property.Value.TryGetProperty("type", out var t) ? TypeOf(t) : null;
                found.Add(new HeaderParameter(at, headerName, type));
            }
            Collect(property.Value, at, found);
        }
    }

    /// <summary>The schema type; "integer" also for a nullable integer (<c>["integer", "null"]</c>).</summary>
    private static string? TypeOf(JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => type.GetString(),
        JsonValueKind.Array => type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null).FirstOrDefault(t => t is not null and not "null"),
        _ => null,
    };

    private sealed record HeaderParameter(string[] Path, string HeaderName, string? Type);

    private enum Match
    {
        Yes,
        No,
        OutOfRange,
    }
}
